// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A form refused with messages: move focus to the first field in error.
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); }
    // A form sent once is not sent twice by a double click while the page loads.
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    // An action whose form was refused is opened and brought into view.
    var open = document.querySelector("details.action[open]");
    if (open) { open.scrollIntoView({ block: "nearest" }); }
  });
})();
