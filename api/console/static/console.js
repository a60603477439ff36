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
    // 提醒数: the counts beside the menu entries, asked again every minute (same origin, the
    // session cookie); without this script they are as fresh as the page.
    var counts = document.querySelectorAll("[data-notice]");
    if (counts.length && window.fetch) {
      var poll = function () {
        window.fetch("/notices.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (answer) {
            if (answer.ok) { return answer.json(); }
            throw new Error(String(answer.status));
          })
          .then(function (found) {
            counts.forEach(function (badge) {
              var value = found[badge.getAttribute("data-notice")];
              if (typeof value !== "number") { return; }
              var words = badge.querySelector(".sr");
              badge.textContent = String(value);
              if (words) { badge.appendChild(words); }
              badge.hidden = value === 0;
            });
          })
          .catch(function () { /* the counts shown stay */ });
      };
      window.setInterval(poll, 60000);
    }
    // Intake: 增加一行 copies the list's last row (or the blank row it keeps) without reloading,
    // numbered on; without this script the button asks the server for the form with one more row.
    var parties = document.getElementById("intake-parties");
    if (intake && parties) {
      var renumber = function (node, path, from, to) {
        var dotted = path + "." + from + ".";
        var dashed = "f-" + path.replace(/\./g, "-") + "-" + from + "-";
        var dottedTo = path + "." + to + ".";
        var dashedTo = "f-" + path.replace(/\./g, "-") + "-" + to + "-";
        node.querySelectorAll("[name],[id],[for],[aria-describedby],[data-rows],[data-add]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby", "value", "data-rows", "data-add"].forEach(function (attr) {
            var v = el.getAttribute(attr);
            if (v === null || (attr === "value" && el.getAttribute("name") !== "add_row")) { return; }
            el.setAttribute(attr, v.split(dotted).join(dottedTo).split(dashed).join(dashedTo));
          });
        });
        node.querySelectorAll("legend, button[data-add]").forEach(function (el) {
          el.textContent = el.textContent.replace(/\d+(?=[^\d]*$)/, function (n) {
            return String(Number(n) + to - from);
          });
        });
      };
      var blank = function (node) {
        node.querySelectorAll("input:not([type=hidden]), textarea").forEach(function (el) {
          if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
        });
        node.querySelectorAll("select").forEach(function (el) {
          el.selectedIndex = 0;
          if (/\.relation$/.test(el.name)) { el.value = "other"; }
        });
        node.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
        node.querySelectorAll("[aria-invalid]").forEach(function (el) {
          el.removeAttribute("aria-invalid");
        });
        node.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
      };
      parties.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest("button[data-add]");
        if (!button) { return; }
        var list = button.closest("[data-rows]");
        var path = list.getAttribute("data-rows");
        var count = list.querySelector(":scope > input[name='rows." + path + "']");
        var rows = list.querySelectorAll(":scope > [data-row]");
        // A list drawn with no row, or agents after parties were added here (whom they may
        // represent is listed by the server): the server draws the form with one more row.
        if (!rows.length || (path === "agents" && parties.hasAttribute("data-added"))) { return; }
        if (path !== "agents") { parties.setAttribute("data-added", ""); }
        event.preventDefault();
        var last = rows[rows.length - 1];
        var n = rows.length;
        var copy = last.cloneNode(true);
        copy.querySelectorAll("[data-rows] [data-row]").forEach(function (el) { el.remove(); });
        copy.querySelectorAll("[data-rows] > input[name^='rows.']").forEach(function (el) {
          el.value = "0";
        });
        renumber(copy, path, n - 1, n);
        blank(copy);
        last.after(copy);
        count.value = String(n + 1);
        var first = copy.querySelector("input:not([type=hidden]), select, textarea");
        if (first) { first.focus(); }
      });
      // A person's inputs (身份证号码, 性别, 民族, 出生日期) or an organisation's (统一社会信用代码,
      // 法定代表人) as the party's type says; one holding a value or a refusal stays shown.
      var personOnly = /\.(id_number|gender|ethnicity|birth_date)$/;
      var orgOnly = /\.(credit_code|legal_representative)$/;
      var fitType = function (select) {
        var organisation = select.value === "organisation";
        select.closest("fieldset").querySelectorAll("input, select").forEach(function (el) {
          var box = el.closest(".field");
          var other = personOnly.test(el.name) ? organisation : orgOnly.test(el.name) ? !organisation : null;
          if (!box || other === null) { return; }
          box.hidden = other && !el.value && !box.classList.contains("invalid");
        });
      };
      var fitTypes = function () {
        parties.querySelectorAll("select[name$='.party_type']").forEach(fitType);
      };
      fitTypes();
      parties.addEventListener("change", function (event) {
        if (/\.party_type$/.test(event.target.name || "")) { fitType(event.target); }
      });
      parties.addEventListener("click", function () { window.setTimeout(fitTypes, 0); });
      // 信访事项: the heading and the sides read 登记信访事项, 信访人 and 被反映人.
      var kindSelect = document.getElementById("f-kind");
      var heading = document.getElementById("intake-heading");
      var words = {
        petition: [["被申请人", "被反映人"], ["申请人", "信访人"]],
        dispute: [["被反映人", "被申请人"], ["信访人", "申请人"]]
      };
      var relabel = function (kind) {
        if (!words[kind]) { return; }
        heading.textContent = heading.getAttribute("data-" + kind);
        document.querySelectorAll(".kind-switch a").forEach(function (link) {
          var mine = (link.getAttribute("href").indexOf("petition") >= 0) === (kind === "petition");
          if (mine) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
        });
        parties.querySelectorAll("legend, label, button[data-add]").forEach(function (el) {
          var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            var node = walker.currentNode;
            words[kind].forEach(function (pair) {
              node.nodeValue = node.nodeValue.split(pair[0]).join(pair[1]);
            });
          }
        });
      };
      if (kindSelect && heading) {
        kindSelect.addEventListener("change", function () { relabel(kindSelect.value); });
      }
    }
    // 台账导入: the progress moves in place while the import runs (without script the page
    // refreshes itself every 5 seconds instead).
    var progress = document.getElementById("ledger-progress");
    if (progress && progress.getAttribute("data-status") === "running" && window.fetch) {
      var poll = function () {
        window.fetch(progress.getAttribute("data-progress"), { credentials: "same-origin" })
          .then(function (answer) { return answer.ok ? answer.json() : null; })
          .then(function (item) {
            if (!item) { return; }
            document.getElementById("ledger-bar").value = item.done;
            document.getElementById("ledger-done").textContent = String(item.done);
            document.getElementById("ledger-registered").textContent = String(item.registered);
            document.getElementById("ledger-rejected").textContent = String(item.rejected);
            if (item.rejected) { document.getElementById("ledger-rejected-part").hidden = false; }
            document.getElementById("ledger-status").textContent = item.status_label;
            if (item.status === "running") { window.setTimeout(poll, 2000); return; }
            var hint = document.getElementById("ledger-refresh-hint");
            if (hint) { hint.hidden = true; }
          }, function () { window.setTimeout(poll, 5000); });
      };
      window.setTimeout(poll, 1000);
    }
    // An action whose form was refused is opened and brought into view.
    var open = document.querySelector("details.action[open]");
    if (open) { open.scrollIntoView({ block: "nearest" }); }
  });
})();
