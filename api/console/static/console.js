// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A form refused with messages: move focus to the first field in error.
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); }
    // A form sent once is not sent twice by a double click while the page loads. A download
    // (a button marked data-download) never leaves the page, so it disables nothing.
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var by = event.submitter;
        if (by && by.hasAttribute("data-download")) { return; }
        window.setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    // A page shown again from the back/forward cache gets its buttons back.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      document.querySelectorAll("button[type=submit][disabled]").forEach(function (b) {
        b.disabled = false;
      });
    });
    // Intake: the 分流 panel (suggestion, 承办单位, same parties' cases) follows what is typed.
    // Without this script the "查看分流建议" button asks the server for the same panel.
    var intake = document.getElementById("intake-form");
    var panel = document.getElementById("routing-panel");
    if (intake && panel && window.fetch && window.URLSearchParams) {
      var timer = null;
      var watched = /^(category|risk_level|jurisdiction\.|applicants\.|respondents\.)/;
      var refresh = function () {
        var body = new URLSearchParams(new FormData(intake));
        window.fetch(intake.getAttribute("data-check"), {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" }
        }).then(function (answer) {
          if (answer.ok) { return answer.text(); }
          throw new Error(String(answer.status));
        }).then(function (html) {
          if (!panel.contains(document.activeElement)) { panel.innerHTML = html; }
        }).catch(function () { /* the button still works */ });
      };
      intake.addEventListener("change", function (event) {
        var name = event.target && event.target.name;
        if (!name || !watched.test(name) || panel.contains(event.target)) { return; }
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 250);
      });
    }
    // Intake's 属地: the county narrows the towns, the town the villages (the codes nest), and a
    // village chosen sets its town. Without this script every place is offered and a village
    // names its town (东山街道 / 上坊社区), which is what the server places the case by.
    var places = ["county", "town", "village"].map(function (level) {
      return document.getElementById("f-jurisdiction-" + level + "_code");
    });
    if (places.every(Boolean)) {
      var offered = places.map(function (select) {
        return Array.prototype.slice.call(select.options).map(function (o) {
          return o.cloneNode(true);
        });
      });
      var narrow = function (index) {
        var within = places[index - 1].value || (index > 1 ? places[0].value : "");
        var select = places[index];
        var current = select.value;
        select.innerHTML = "";
        offered[index].forEach(function (option) {
          if (!option.value || option.value.indexOf(within) === 0) {
            select.appendChild(option.cloneNode(true));
          }
        });
        select.value = current;
        if (select.value !== current) { select.selectedIndex = 0; }
      };
      var within = function (index, code) {
        // Set select ``index`` to the place ``code`` lies in (a village's town, a town's county).
        var length = index === 0 ? 6 : 9;
        if (code && places[index].value !== code.slice(0, length)) {
          places[index].value = code.slice(0, length);
        }
      };
      places[0].addEventListener("change", function () { narrow(1); narrow(2); });
      places[1].addEventListener("change", function () {
        within(0, places[1].value); narrow(2);
      });
      places[2].addEventListener("change", function () {
        within(0, places[2].value); within(1, places[2].value); narrow(2);
      });
      narrow(1); narrow(2);
    }
    // An action whose form was refused is opened and brought into view.
    var open = document.querySelector("details.action[open]");
    if (open) { open.scrollIntoView({ block: "nearest" }); }
  });
})();
