// Review queue keyboard control. Every key triggers a real form (htmx posts it and swaps the
// panel); without this file the page still works with mouse and plain form posts.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;
  const rows = () => Array.from(document.querySelectorAll(".queue-row"));
  let current = 0;

  function select(index, load) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === current));
    const row = all[current];
    row.scrollIntoView({ block: "nearest" });
    if (load && window.htmx) {
      window.htmx.ajax("GET", row.dataset.storyUrl, { target: "#panel", swap: "outerHTML" });
    }
  }

  function flash(text) {
    const el = document.getElementById("flash");
    if (el && text) el.textContent = text;
  }

  function press(selector) {
    const button = document.querySelector(selector);
    if (button) button.click();
  }

  function setImportance(value) {
    const input = document.getElementById("copy-importance");
    if (!input) return;
    input.value = value;
    input.form.requestSubmit();
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select");
    if (event.key === "Escape") {
      document.getElementById("help").hidden = true;
      if (typing) event.target.blur();
      return;
    }
    if (typing && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target.form;  // Ctrl+Enter saves the copy being edited
      if (form) { form.requestSubmit(); event.preventDefault(); }
      return;
    }
    if (typing || event.metaKey || event.ctrlKey || event.altKey) return;
    const key = event.key;
    if (key === "j") select(current + 1, true);
    else if (key === "k") select(current - 1, true);
    else if (key === "a") press('#panel button[value="approve"]');
    else if (key === "p") press('#panel button[value="publish"]');
    else if (key === "r") { const r = document.getElementById("reject-reason"); if (r) r.focus(); }
    else if (key === "e") { const s = document.getElementById("copy-summary"); if (s) s.focus(); }
    else if (key === "u") press('#panel button[data-key="u"]');
    else if (key === "s") press('#panel button[data-key="s"]');
    else if (key === "m") press('#panel button[data-key="m"]');
    else if (key === "?") document.getElementById("help").hidden = false;
    else if (/^[0-9]$/.test(key)) setImportance(key === "0" ? 10 : Number(key));
    else return;
    event.preventDefault();
  });

  // Counts and row state follow every decision (the server sends an HX-Trigger event).
  document.body.addEventListener("queue-changed", (event) => {
    const detail = event.detail || {};
    Object.entries(detail.counts || {}).forEach(([status, n]) => {
      const el = document.querySelector(`[data-count="${status}"]`);
      if (el) el.textContent = n;
    });
    const row = detail.article && document.getElementById(`row-${detail.article}`);
    if (row && detail.status) {
      row.className = row.className.replace(/status-\S+/, `status-${detail.status}`);
      const label = row.querySelector(".status-label");
      if (label) label.textContent = detail.status.replace("_", " ");
      const importance = row.querySelector(".importance");
      if (importance) importance.textContent = detail.importance || "–";
    }
    flash(detail.message);
  });

  // After a keyboard submit htmx puts the focus back into the field with the same id in the
  // new panel; give it back to the page so the next key is a shortcut again.
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const active = document.activeElement;
    if (event.target.id === "panel" && active && active.closest("#panel") &&
        active.matches("input, textarea, select")) {
      active.blur();
    }
  });

  // Keep the selection on the story that is open.
  const open = document.getElementById("panel");
  if (open && open.dataset.pk) {
    const index = rows().findIndex((row) => row.dataset.pk === open.dataset.pk);
    select(index >= 0 ? index : 0, false);
  } else {
    select(0, false);
  }
  document.addEventListener("click", (event) => {
    const row = event.target.closest(".queue-row");
    if (row) current = rows().indexOf(row);
  });
})();
