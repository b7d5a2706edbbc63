/* Small enhancements on top of pages that work without JavaScript. */
(function () {
  "use strict";

  // Take the agent to what went wrong: focus the first error summary on the page or in new content.
  function focusErrors(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrors(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    focusErrors(event.detail.elt || document);
  });
})();
