// Review queue keyboard control. Every key triggers a real form (htmx posts it and swaps the
// panel); without this file the page still works with mouse and plain form posts.
//
// The highlighted row and the open panel never disagree: a panel that arrives for a story
// that is no longer highlighted is dropped, and an action key pressed while the panel of the
// highlighted story is still loading (or while another action is in flight) waits for it
// and then acts on that story — on that story only: a key never acts on a story that was
// not highlighted when it was pressed. When an action answers with another story (a report
// made the lead, an undo), the highlight follows it. The forms name the story and its
// version, so the server refuses anything else.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;
  const rows = () => Array.from(document.querySelectorAll(".queue-row"));
  const panel = () => document.getElementById("panel");
  let current = 0;
  let wanted = null; // pk of the story whose panel should be open
  let busy = false; // an action is being posted
  let behind = false; // the highlighted story's panel is to be loaded once it is in
  const pending = []; // {pk, fn}: action keys waiting for their story's panel, in order
  let swappedBy = null; // the method of the request whose answer was last swapped in

  function ready() {
    const open = panel();
    return !busy && open && wanted !== null && open.dataset.pk === wanted;
  }

  // The panel says the story was deleted: nothing here to act on, and nothing is held for
  // later (a held `u` undid the last action on the next `j`).
  function onDeleted() {
    const open = panel();
    if (!open || !open.hasAttribute("data-gone") || busy) return false;
    flash("This story was deleted: j or k goes on to the next one.", true);
    return true;
  }

  function act(fn) {
    if (onDeleted()) return;
    if (!pending.length && ready()) fn();
    else pending.push({ pk: wanted, fn });
  }

  // Undo acts on the editor's last action, not on the highlighted story: a `u` waiting for
  // an answer is not dropped when the editor moves on (`u` then `j` undid nothing); it
  // presses the Undo of the next panel, which names that last action.
  function actOnLast(fn) {
    if (onDeleted()) return;
    if (!pending.length && ready()) fn();
    else pending.push({ pk: null, fn });
  }

  // One key at a time: an action that posts makes the page busy until its answer is in. A
  // key pressed for a story that is no longer the highlighted one is dropped, not moved.
  function flush() {
    let dropped = 0;
    while (pending.length) {
      if (pending[0].pk !== null && pending[0].pk !== wanted) {
        pending.shift();
        dropped += 1;
      } else if (ready()) {
        pending.shift().fn();
      } else {
        break;
      }
    }
    if (dropped) flash("A key pressed for the story before was not applied to this one.", true);
  }

  // An action answered with another story than the highlighted one (it was allowed to
  // replace the panel): the highlight follows the story on screen.
  function follow() {
    const open = panel();
    if (!open || !open.dataset.pk || open.dataset.pk === wanted) return;
    wanted = open.dataset.pk;
    const index = rows().findIndex((row) => row.dataset.pk === wanted);
    rows().forEach((row, i) => row.classList.toggle("selected", i === index));
    if (index >= 0) current = index;
  }

  function select(index, load) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("selected", i === current));
    const row = all[current];
    row.scrollIntoView({ block: "nearest" });
    wanted = row.dataset.pk;
    if (load) loadWanted();
  }

  // Load the panel of the highlighted story unless it is open. The slot stays in the page,
  // so htmx queues these loads on it and keeps only the last one while one is in flight.
  function loadWanted() {
    const row = wanted !== null && document.getElementById(`row-${wanted}`);
    if (!row || !window.htmx || panel().dataset.pk === wanted) return;
    const slot = document.getElementById("panel-slot");
    window.htmx.ajax("GET", row.dataset.storyUrl, { source: slot, target: slot, swap: "innerHTML" });
  }

  // Load the list again as the editor has it filtered and paged (after a split, a merge, a
  // new lead or an undo, whose rows are not the ones on screen); the highlight stays on the
  // story that is open and the ticks on the stories ticked when it arrives (htmx:beforeSwap
  // and htmx:afterSettle below). The slot stays in the page, so a second reload asked for
  // while one is in flight waits for it instead of being lost with the list it was sent
  // from; it sends no form values (the list is a form: its CSRF token does not belong in a
  // URL).
  let ticked = new Set();
  let nextPk = null; // the row after the open story's, when the list was last reloaded
  function reloadList() {
    const slot = document.getElementById("queue-list-slot");
    if (!slot || !window.htmx) return;
    const url = window.location.pathname + window.location.search;
    window.htmx.ajax("GET", url, { source: slot, target: slot, swap: "innerHTML" });
  }

  // The highlighted row is the one of the story wanted, wherever the list put it, and in
  // view.
  function keepSelection() {
    const all = rows();
    const index = all.findIndex((row) => row.dataset.pk === wanted);
    all.forEach((row, i) => row.classList.toggle("selected", i === index));
    if (index >= 0) {
      current = index;
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      // The open story has no row here (filtered out, deleted, on another page): `j` goes
      // to the row that came after it, wherever the new list put it (a deleted story's
      // other report may now have a row above), and skips nothing.
      const after = nextPk === null ? -1 : all.findIndex((row) => row.dataset.pk === nextPk);
      current = after >= 0 ? after - 1 : Math.min(current, all.length) - 1;
    }
    // A tick stands for the story at the version its row showed: a story changed since
    // comes back unticked, so a bulk approval never approves copy the editor has not seen.
    const boxes = Array.from(document.querySelectorAll('.queue-row input[name="ids"]'));
    boxes.forEach((box) => {
      if (ticked.has(box.value)) box.checked = true;
    });
    const selectAll = document.querySelector("[data-select-all]");
    if (selectAll) selectAll.checked = boxes.length > 0 && boxes.every((box) => box.checked);
  }

  // The line under the counts: what the last action did, in red when it was refused; in
  // full on hover (a long message is cut to one line).
  function flash(text, refused = false) {
    const el = document.getElementById("flash");
    if (!el || !text) return;
    el.textContent = text;
    el.title = text;
    el.classList.toggle("error", refused);
  }

  function press(selector, missing) {
    const button = document.querySelector(selector);
    if (button) button.click();
    else if (missing) flash(missing, true);
  }

  // Unsaved text in the copy is not thrown away by a key: the first press says so, a
  // second press of the same key within a few seconds goes ahead (Ctrl+Enter saves).
  let dirty = false;
  let warned = null;
  function unsaved(key) {
    if (!dirty) return false;
    if (warned && warned.key === key && Date.now() - warned.at < 4000) {
      dirty = false;
      warned = null;
      return false;
    }
    warned = { key, at: Date.now() };
    flash(`Unsaved changes in the copy: Ctrl+Enter saves them; press ${key} again to discard them.`, true);
    return true;
  }
  document.addEventListener("input", (event) => {
    if (event.target.closest("#copy-form")) dirty = true;
  });

  function focus(id) {
    const el = document.getElementById(id);
    if (!el) return;
    el.focus();
    // The caret at the end, to add to the copy (at the start, typing went before it).
    if (el.setSelectionRange && typeof el.value === "string") {
      el.setSelectionRange(el.value.length, el.value.length);
    }
  }

  function setImportance(value) {
    const input = document.getElementById("copy-importance");
    if (!input || input.disabled) return;
    input.value = value;
    input.form.requestSubmit();
  }

  function closePicker() {
    const picker = document.getElementById("merge-picker");
    if (picker) picker.innerHTML = "";
  }

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select");
    if (event.key === "Escape") {
      document.getElementById("help").hidden = true;
      closePicker();
      if (typing) event.target.blur();
      return;
    }
    if (event.key === "Enter" && event.target.id === "merge-search") {
      // Not the browser's implicit submit: the list may not show this search's stories yet,
      // so the checked one is not the editor's choice. Tab or arrows pick one.
      event.preventDefault();
      return;
    }
    if (event.key === "Enter" && event.target.closest("#merge-form") &&
        event.target.type !== "search") {
      // Enter merges into the story the editor is on in the picker (arrows move there).
      if (event.target.type === "radio") event.target.checked = true;
      event.target.form.requestSubmit();
      event.preventDefault();
      return;
    }
    if (typing && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target.form; // Ctrl+Enter saves the copy being edited
      if (form) { form.requestSubmit(); event.preventDefault(); }
      return;
    }
    if (typing || event.metaKey || event.ctrlKey || event.altKey) return;
    const key = event.key;
    if ("jkapmu".includes(key) && key.length === 1 && unsaved(key)) {
      event.preventDefault();
      return;
    }
    if (key === "j") select(current + 1, true);
    else if (key === "k") select(current - 1, true);
    else if (key === "a") {
      act(() => press('#panel button[value="approve"]', "This story cannot be approved now."));
    } else if (key === "p") {
      // A story taken off the site goes back only by its "Publish again" button, which
      // asks first: a key pressed in passing must not undo a legal hold.
      // Asked once the story the key is for is on screen, not of the one shown when
      // it was pressed (a fast k then p): the server refuses a plain publish anyway.
      act(() => {
        if (document.querySelector("#panel button[data-taken-down]")) {
          flash("This story was taken off the site: publish it again with its button.", true);
        } else {
          press('#panel button[value="publish"]', "Only chief editors publish, and only stories in review or approved.");
        }
      });
    }
    else if (key === "r") act(() => focus("reject-reason"));
    else if (key === "e") act(() => focus("copy-summary"));
    else if (key === "u") actOnLast(() => press('#panel button[data-key="u"]', "Nothing to undo."));
    else if (key === "m") act(() => press('#panel [data-key="m"]'));
    else if (key === "?") document.getElementById("help").hidden = false;
    else if (/^[0-9]$/.test(key)) {
      const value = key === "0" ? 10 : Number(key);
      act(() => setImportance(value));
    } else return;
    event.preventDefault();
  });

  // A panel for a story that is no longer highlighted (the editor moved on while it loaded,
  // or while an action on it was posted, or the queue moved on after it) is dropped; the
  // panel of the highlighted one is on its way. An action's answer for another story than
  // the one it was sent from (a report made the lead) is shown if nothing moved meanwhile.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "queue-list-slot") {
      const before = rows();
      const at = before.findIndex((row) => row.dataset.pk === wanted);
      const next = before[(at >= 0 ? at : current) + 1];
      nextPk = next ? next.dataset.pk : null;
      ticked = new Set(
        Array.from(
          document.querySelectorAll('.queue-row input[name="ids"]:checked'),
          (box) => box.value,
        ),
      );
      return;
    }
    if (!target || !target.closest("#panel-slot")) return;
    const config = event.detail.requestConfig || {};
    if (busy && config.verb !== "post") {
      // Loaded before the action was posted; see htmx:beforeRequest below.
      event.detail.shouldSwap = false;
      behind = true;
      return;
    }
    if (target.id !== "panel-slot") return;
    const story = event.detail.xhr.getResponseHeader("X-Story");
    if (!story || wanted === null || story === wanted) return;
    if (config.verb === "get" || config.sentFor !== wanted) {
      event.detail.shouldSwap = false;
      config.dropped = true;
    }
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (!event.detail.target || event.detail.target.id !== "panel-slot") return;
    swappedBy = (event.detail.requestConfig || {}).verb || null;
    // After a keyboard submit htmx has just put the focus back into the field with the same
    // id in the new panel; give it back to the page at once, so the next key is a shortcut
    // again (done at settle, a key pressed in between was typed into the copy).
    const active = document.activeElement;
    if (active && active.closest("#panel") && active.matches("input, textarea, select")) {
      active.blur();
    }
    // A refused save comes back with the editor's text kept in the form: still unsaved.
    dirty = Boolean(document.querySelector("#panel[data-unsaved-draft]"));
    // An action answered with another story: the highlight follows it now, not a settle
    // later, so a key pressed in between moves on from the story on screen (at settle, a
    // `j` pressed after a save was pulled back and its panel dropped).
    if (swappedBy === "post") follow();
  });

  // No panel (or merge picker) is loaded or swapped in while an action is posted: htmx
  // sends the answer's events (queue-changed, afterRequest) from the form that posted, and
  // from a form swapped out of the page they reach nobody: the counts would not follow, the
  // queue would not move on and the keys would wait for ever. The highlighted story's panel
  // loads after.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const config = event.detail.requestConfig || {};
    const target = event.detail.target;
    if (config.verb === "post") {
      busy = true;
      config.sentFor = wanted;
    } else if (busy && target && target.closest("#panel-slot")) {
      event.preventDefault();
      behind = true;
    }
  });

  document.body.addEventListener("htmx:afterRequest", (event) => {
    const config = event.detail.requestConfig || {};
    if (config.verb === "post") {
      busy = false;
      if (behind) {
        behind = false;
        loadWanted();
      }
      // A swapped answer is acted on once htmx has settled it (its forms are live then);
      // without a swap nothing settles, so waiting keys may go now.
      if (!event.detail.successful || config.dropped) flush();
    }
  });

  // Counts and row state follow every decision (the server sends an HX-Trigger event);
  // after approve, reject, publish, schedule or merge the queue moves to the next story,
  // unless the editor has moved on already.
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
      const proposal = row.querySelector(".badge.proposal");
      if (proposal) proposal.hidden = !detail.pending;
      let scheduled = row.querySelector(".badge.scheduled, .badge.overdue");
      if (detail.publishes && label) {
        if (!scheduled) {
          scheduled = document.createElement("span");
          scheduled.title = "scheduled publication";
          label.before(scheduled, " ");
        }
        scheduled.className = "badge scheduled";
        scheduled.textContent = `publishes ${detail.publishes}`;
      } else if (scheduled && !detail.publishes) {
        scheduled.remove();
      }
    }
    flash(detail.message, Boolean(detail.refused));
    closePicker();
    if (detail.advance && row) row.classList.add("done");
    if (detail.advance && row && row.dataset.pk === wanted) {
      const index = rows().indexOf(row);
      if (index >= 0) select(index + 1, true);
    }
    // A list on its way was rendered before this action: it would show the story as it
    // was (an approved one in review, with a tick box), so one more follows it.
    const slot = document.getElementById("queue-list-slot");
    if (detail.reload || (slot && slot.classList.contains("htmx-request"))) reloadList();
  });

  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id === "queue-list-slot") {
      keepSelection();
      return;
    }
    if (event.target.id === "merge-picker") {
      // Nothing is chosen for the editor: the first candidate has the focus, the arrow keys
      // pick one, Enter merges into the one picked.
      const choice = event.target.querySelector('input[type="radio"]:checked') ||
        event.target.querySelector('input[type="radio"]');
      if (choice && document.activeElement?.type !== "search") choice.focus();
      return;
    }
    if (event.target.id !== "panel-slot") return;
    fillTimeZones();
    // On a phone (or a narrow window) the open story sits under the list: bring it, and the
    // answer at its top, into view, or a tap on a headline or a button seems to do nothing.
    const panel = document.getElementById("panel");
    if (panel && stacked()) {
      const box = panel.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight * 0.5) {
        panel.scrollIntoView({ block: "start" });
      }
    }
    const correction = document.getElementById("copy-correction");
    if (correction && document.querySelector("#panel .field-error[data-field=correction]")) {
      correction.focus(); // a published story's change waits for its public note
    }
    flush();
  });

  // The list above the open story rather than beside it (queue.css, max-width: 900px).
  function stacked() {
    const body = document.querySelector(".desk-body");
    return Boolean(body) && getComputedStyle(body).gridTemplateColumns.split(" ").length === 1;
  }

  // A button that asks first ("Publish again" for a story taken off the site): declined,
  // the form is not sent (stopped before htmx, which listens on the form, sees it).
  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  // Scheduling reads the time in the editor's own time zone.
  function fillTimeZones() {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    document.querySelectorAll("input[data-browser-tz]").forEach((input) => {
      input.value = zone;
    });
  }
  fillTimeZones();

  // A click that would replace the panel asks before unsaved text in the copy is lost.
  document.addEventListener(
    "click",
    (event) => {
      if (!dirty || !event.target.closest(".queue-row")) return;
      if (event.target.closest('input[name="ids"]')) return; // a tick keeps the panel
      // eslint-disable-next-line no-alert
      if (window.confirm("Discard your unsaved changes to the copy?")) {
        dirty = false;
      } else {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-close-picker]")) {
      closePicker();
      return;
    }
    if (event.target.closest("[data-close-help]")) {
      document.getElementById("help").hidden = true;
      return;
    }
    const all = event.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll('.queue-row input[name="ids"]').forEach((box) => {
        box.checked = all.checked;
      });
      return;
    }
    // A click anywhere in a row highlights it and opens its story (the headline link loads
    // it itself), so the keys act on the story the editor sees highlighted; a tick for the
    // bulk approval only ticks.
    if (event.target.closest('input[name="ids"]')) return;
    const row = event.target.closest(".queue-row");
    if (row) select(rows().indexOf(row), !event.target.closest(".story-link"));
  });

  // Keep the selection on the story that is open.
  const open = panel();
  if (open && open.dataset.pk) {
    const index = rows().findIndex((row) => row.dataset.pk === open.dataset.pk);
    if (index >= 0) select(index, false);
    else {
      // Opened by its link, with no row in this list: `j` goes to the first row.
      wanted = open.dataset.pk;
      current = -1;
    }
  } else if (open && open.hasAttribute("data-gone")) {
    current = -1; // a link to a story deleted since: nothing is open, `j` goes to the first
  } else {
    select(0, false);
  }
})();
