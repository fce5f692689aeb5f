/* The dispatch picker (cases/partials/unit_picker.html): a search box whose matches (HTMX, ranked by the server)
   set the grouped <select> that carries the value. Without script the <select> alone works. Nothing is ever
   chosen for the dispatcher: the select starts empty and an empty choice is refused beside the field.
   Keyboard: ↓/↑ move through the matches, Enter chooses, Escape closes; the recommended units are buttons. */
(function (window, document) {
  "use strict";
  if (window.fuhePicker) return;  // included by the case page and the queue's partial alike
  window.fuhePicker = true;

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]:not([aria-disabled="true"])'));
  }

  function setUp(picker) {
    var select = picker.querySelector("select");
    var search = picker.querySelector(".picker-search");
    var input = search && search.querySelector('[role="combobox"]');
    var list = search && search.querySelector('[role="listbox"]');
    var error = picker.querySelector(".error");
    if (!select || !input || !list) return;
    search.hidden = false;

    function open(on) {
      list.hidden = !on;
      input.setAttribute("aria-expanded", on ? "true" : "false");
      if (!on) input.removeAttribute("aria-activedescendant");
    }

    function activate(option) {
      options(list).forEach(function (other) { other.setAttribute("aria-selected", other === option ? "true" : "false"); });
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({block: "nearest"});
      }
    }

    function choose(value, label) {
      select.value = value;
      if (select.value !== value) return;  // not a unit of this list (never happens with the server's matches)
      input.value = label;
      if (error) error.hidden = true;
      select.setCustomValidity("");
      open(false);
      select.dispatchEvent(new Event("change", {bubbles: true}));
    }

    input.addEventListener("keydown", function (event) {
      var all = options(list);
      var current = all.indexOf(list.querySelector('[aria-selected="true"]'));
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden && all.length) open(true);
        var next = event.key === "ArrowDown" ? Math.min(current + 1, all.length - 1) : Math.max(current - 1, 0);
        activate(all[next] || null);
      } else if (event.key === "Enter") {
        event.preventDefault();  // Enter in the search box chooses; it never submits the dispatch
        if (current >= 0 && !list.hidden) choose(all[current].dataset.value, all[current].dataset.label);
      } else if (event.key === "Escape") {
        open(false);
      }
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option && option.getAttribute("aria-disabled") !== "true") choose(option.dataset.value, option.dataset.label);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus in the box
    input.addEventListener("blur", function () { open(false); });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === list) {
        open(input === document.activeElement && list.children.length > 0);
        activate(null);
      }
    });
    picker.querySelectorAll("[data-pick]").forEach(function (button) {
      button.addEventListener("click", function () { choose(button.dataset.pick, button.dataset.label); });
    });
    select.addEventListener("change", function () {
      if (select.value && error) error.hidden = true;
    });
    // an empty choice: say so beside the field (role=alert) instead of the browser's bubble, and go to the search
    select.addEventListener("invalid", function (event) {
      event.preventDefault();
      if (error) error.hidden = false;
      input.focus();
    });
  }

  function start() {
    document.querySelectorAll("[data-picker]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window, document);
