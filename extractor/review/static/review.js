// Keyboard for the review app. Plain script, no build step: every action is a form the page already has.
"use strict";
(function () {
  const typing = (el) => el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  const help = document.getElementById("help");
  let selected = -1;

  // ---------------------------------------------------------------- record page
  const values = Array.from(document.querySelectorAll(".fields .value"));
  const text = document.getElementById("text");

  function marksOf(id) {
    return Array.from(document.querySelectorAll("#text mark")).filter((m) => (m.dataset.v || "").split(" ").includes(id));
  }

  function select(index, scroll) {
    if (!values.length) return;
    selected = Math.max(0, Math.min(values.length - 1, index));
    document.querySelectorAll(".value.selected, mark.active").forEach((el) => el.classList.remove("selected", "active"));
    const value = values[selected];
    value.classList.add("selected");
    const marks = marksOf(value.id);
    marks.forEach((m) => m.classList.add("active"));
    if (scroll !== false) {
      value.scrollIntoView({block: "nearest"});
      if (marks.length) marks[0].scrollIntoView({block: "nearest"});
    }
    sessionStorage.setItem("review-selected:" + location.pathname, value.dataset.study + "/" + value.dataset.field);
  }

  function submit(form) {
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  function current() {
    return selected >= 0 ? values[selected] : null;
  }

  // Offset in the document text of a point in the selection: every piece of #text carries its start (data-s).
  function offsetOf(node, offset) {
    const piece = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!piece || piece.dataset.s === undefined) return null;
    return Number(piece.dataset.s) + (node.nodeType === Node.TEXT_NODE ? offset : 0);
  }

  function selectedSpan() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !text || !text.contains(selection.anchorNode)) return null;
    let start = offsetOf(selection.anchorNode, selection.anchorOffset);
    let end = offsetOf(selection.focusNode, selection.focusOffset);
    if (start === null || end === null) return null;
    if (start > end) [start, end] = [end, start];
    const raw = selection.toString();
    // trim the white space around the selection, keeping the offsets in step
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    return {start: start + lead, end: end - trail, text: raw.trim().replace(/\s+/g, " ")};
  }

  function unitForOffset(offset) {
    const units = Array.from(document.querySelectorAll(".fields .unit"));
    return units.find((u) => u.querySelector(`.value[data-start]`) && Array.from(u.querySelectorAll(".value[data-start]"))
      .some((v) => Number(v.dataset.start) <= offset && offset <= Number(v.dataset.end))) || units[0];
  }

  const FIELD_BY_KEY = {"1": "design", "2": "sample_size", "3": "outcome", "4": "effect", "5": "registration"};

  function fieldKey(key) {
    const field = FIELD_BY_KEY[key];
    const span = selectedSpan();
    if (span && span.text) {
      const unit = unitForOffset(span.start);
      const form = unit && unit.querySelector(`form.add[data-field="${field}"]`);
      if (!form) return;
      form.elements.value.value = span.text;
      form.elements.start.value = span.start;
      form.elements.end.value = span.end;
      form.elements.value.focus();
      form.elements.value.select();
      return;
    }
    const index = values.findIndex((v) => v.dataset.field === field);
    if (index >= 0) select(index);
    else {
      const form = document.querySelector(`form.add[data-field="${field}"]`);
      if (form) form.elements.value.focus();
    }
  }

  if (values.length) {
    values.forEach((value, index) => value.addEventListener("click", (event) => {
      if (!typing(event.target) && event.target.tagName !== "BUTTON") select(index, false);
    }));
    document.querySelectorAll("#text mark").forEach((mark) => mark.addEventListener("click", () => {
      if (!window.getSelection().isCollapsed) return;
      const id = (mark.dataset.v || "").split(" ")[0];
      const index = values.findIndex((v) => v.id === id);
      if (index >= 0) select(index);
    }));
    // after a correction the page comes back at #f-<study>-<field>: select that field's first value again
    const remembered = (location.hash.startsWith("#f-") ? location.hash.slice(3).replace(/-(?=[a-z])/, "/") : null)
      || sessionStorage.getItem("review-selected:" + location.pathname);
    let start = 0;
    if (remembered) {
      const [study, field] = remembered.split("/");
      const found = values.findIndex((v) => v.dataset.study === study && v.dataset.field === field);
      if (found >= 0) start = found;
    }
    select(start, Boolean(remembered));
  }

  // ---------------------------------------------------------------- queue page
  const rows = Array.from(document.querySelectorAll("tr.row"));
  function selectRow(index) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row) => row.classList.remove("selected"));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({block: "nearest"});
  }
  if (rows.length && !values.length) selectRow(0);

  // ---------------------------------------------------------------- screening page
  const screenForm = document.getElementById("screen-form");
  const SCREEN_KEYS = {i: "decide-include", e: "decide-exclude", m: "decide-maybe"};
  const screenChange = document.getElementById("screen-change");
  let screenSent = false;
  function screenKey(key, event) {
    if (key === "c" && screenChange) { location.href = screenChange.getAttribute("href"); return; }
    if (!screenForm) return;  // nothing left to screen: only the last decision can be changed
    if (SCREEN_KEYS[key]) {
      if (screenSent) return;  // one decision per page, however fast the keys come
      screenSent = true;
      const button = document.getElementById(SCREEN_KEYS[key]);
      screenForm.requestSubmit ? screenForm.requestSubmit(button) : button.click();
    } else if (key === "r") { document.getElementById("screen-reason").focus(); event.preventDefault(); }
    else if (key === "s") location.href = document.getElementById("screen-skip").getAttribute("href");
  }
  if (screenForm) {
    // Enter in the reason box leaves it instead of submitting the first button (include) by accident
    document.getElementById("screen-reason").addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); event.target.blur(); }
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(document.activeElement)) {
      if (event.key === "Escape") document.activeElement.blur();
      return;
    }
    const key = event.key;
    if (key === "?") { help.hidden = !help.hidden; event.preventDefault(); return; }
    if (key === "Escape") { help.hidden = true; return; }
    if (key === "g") { location.href = document.querySelector(".actions a.button[href^='/?']")?.getAttribute("href") || "/"; return; }
    if (rows.length && !values.length && !text) {
      if (key === "j" || key === "ArrowDown") { selectRow(selected + 1); event.preventDefault(); }
      else if (key === "k" || key === "ArrowUp") { selectRow(selected - 1); event.preventDefault(); }
      else if ((key === "Enter" || key === "o") && selected >= 0) location.href = rows[selected].dataset.href;
      else if (key === "/") { document.getElementById("search").focus(); event.preventDefault(); }
      return;
    }
    if (screenForm || screenChange) { screenKey(key, event); return; }
    if (!text) return;
    const value = current();
    if (key === "j" || key === "ArrowDown") { select(selected + 1); event.preventDefault(); }
    else if (key === "k" || key === "ArrowUp") { select(selected - 1); event.preventDefault(); }
    else if (key === "a" && value) submit(value.querySelector("form.accept"));
    else if (key === "x" && value) submit(value.querySelector("form.reject"));
    else if (key === "e" && value) {
      const form = value.querySelector("form.edit");
      // text selected first becomes the edited value's evidence; without it the value is entered by hand
      const span = selectedSpan();
      const note = form.querySelector(".selection");
      const chosen = Boolean(span && span.text);
      form.elements.start.value = chosen ? span.start : "";
      form.elements.end.value = chosen ? span.end : "";
      note.textContent = chosen ? "evidence: your selection “" + span.text.slice(0, 80) + "”" : "";
      note.hidden = !chosen;
      const input = form.querySelector("input[type=text]");
      input.focus();
      input.select();
      event.preventDefault();
    }
    else if (FIELD_BY_KEY[key]) { fieldKey(key); event.preventDefault(); }
    else if (key === "u") submit(document.getElementById("undo-form"));
    else if (key === "n") submit(document.getElementById("done-form"));
    else if (key === "]" || key === "ArrowRight") location.href = document.getElementById("next-link").getAttribute("href");
  });
})();
