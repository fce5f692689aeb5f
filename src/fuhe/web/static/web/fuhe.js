/* Site-wide behaviour, with no inline script or on*= handler in any template (script-src 'self' holds):
   - <select data-submit-on-change> submits its form when changed (the language switch);
   - HTMX swap targets carry aria-busy="true" while their request runs (they carry aria-live="polite" in markup). */
(function (document) {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.matches && field.matches("[data-submit-on-change]") && field.form) {
      field.form.submit();
    }
  });

  function busy(event, on) {
    var target = event.detail && event.detail.target;
    if (!target || !target.isConnected) return;  // an outerHTML swap has already replaced it
    if (on) {
      target.setAttribute("aria-busy", "true");
    } else {
      target.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) { busy(event, true); });
  document.addEventListener("htmx:afterRequest", function (event) { busy(event, false); });
})(document);
