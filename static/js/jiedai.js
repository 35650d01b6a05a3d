// Small progressive enhancements; every page also works without JavaScript.
(function () {
  "use strict";

  // Selects marked data-autosubmit submit their form on change (language switcher, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // Formsets: a button with data-formset-add="<prefix>" clones the <template id="<prefix>-empty">
  // row into the container data-formset-body="<prefix>" and bumps TOTAL_FORMS.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-formset-add]");
    if (!button) return;
    event.preventDefault();
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    if (!total || !template || !body) return;
    var index = parseInt(total.value, 10);
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true; // the form's limit; the server says so too
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = body.lastElementChild && body.lastElementChild.querySelector("input, select, textarea");
    if (first) first.focus();
  });

  // Forms marked data-submit-once send once: a double click files one request. The server
  // checks the form's one-time token as well, so this is only a courtesy.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-submit-once]")) return;
    if (form.getAttribute("data-submitted")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitted", "1");
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.classList.add("disabled");
      b.setAttribute("aria-disabled", "true");
    });
  });

  // Back to a page kept in the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      form.removeAttribute("data-submitted");
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.classList.remove("disabled");
        b.removeAttribute("aria-disabled");
      });
    });
  });
  // ---- Downloads that take seconds (PDFs, exports) -----------------------------------------
  // A link or a GET form marked data-download="<what to say meanwhile>" shows a spinner and
  // takes no second click until the file starts to arrive: the request carries a one-off
  // token (?download=…), the response sets it as the cookie jiedai_download
  // (reception/middleware.py), and this polls for it. After two minutes it gives up waiting.
  var DOWNLOAD_COOKIE = "jiedai_download";
  var DOWNLOAD_PATIENCE = 120000;

  function downloadToken() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function cookieValue(name) {
    var found = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  // What shows the state: the element itself, or its dropdown's button (the menu closes).
  function downloadShownOn(el) {
    var dropdown = el.closest(".dropdown");
    return (dropdown && dropdown.querySelector(".dropdown-toggle")) || el;
  }

  function downloadBusy(el, message, on) {
    var shown = downloadShownOn(el);
    [el, shown].forEach(function (node) {
      node.classList.toggle("disabled", on);
      if (on) {
        node.setAttribute("aria-disabled", "true");
        node.setAttribute("aria-busy", "true");
      } else {
        node.removeAttribute("aria-disabled");
        node.removeAttribute("aria-busy");
      }
    });
    var spinner = shown.querySelector(".download-spinner");
    if (on && !spinner) {
      spinner = document.createElement("span");
      spinner.className = "download-spinner spinner-border spinner-border-sm ms-1";
      spinner.setAttribute("role", "status");
      var text = document.createElement("span");
      text.className = "visually-hidden";
      text.textContent = message;
      spinner.appendChild(text);
      shown.appendChild(spinner);
    } else if (!on && spinner) {
      spinner.remove();
    }
  }

  function awaitDownload(el, token) {
    var message = el.getAttribute("data-download") || "…";
    downloadBusy(el, message, true);
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (cookieValue(DOWNLOAD_COOKIE) === token || Date.now() - started > DOWNLOAD_PATIENCE) {
        window.clearInterval(timer);
        document.cookie = DOWNLOAD_COOKIE + "=; Max-Age=0; path=/; SameSite=Lax";
        downloadBusy(el, message, false);
      }
    }, 250);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-download]");
    if (!link) return;
    if (link.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    var token = downloadToken();
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("download", token);
    link.href = url.toString(); // the browser follows the href as it stands after this handler
    awaitDownload(link, token);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-download]")) return;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    var token = downloadToken();
    var input = form.querySelector('input[type=hidden][name="download"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "download";
      form.appendChild(input);
    }
    input.value = token;
    var button = event.submitter || form.querySelector("[type=submit]");
    form.setAttribute("aria-busy", "true");
    if (button) {
      button.setAttribute("data-download", form.getAttribute("data-download"));
      awaitDownload(button, token);
    }
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (!button || button.getAttribute("aria-busy") !== "true" || Date.now() - started > DOWNLOAD_PATIENCE) {
        window.clearInterval(timer);
        form.removeAttribute("aria-busy");
      }
    }, 250);
  });

  // ---- The filing form (templates/visits/visitrequest_form.html) ----------------------------

  // Long selects marked data-searchable get a search box (Tom Select, vendored). The original
  // <select> stays in the form and keeps sending its value; htmx still hears its changes.
  function searchable(root) {
    if (typeof window.TomSelect === "undefined") return;
    root.querySelectorAll("select[data-searchable]").forEach(function (select) {
      if (select.tomselect) return;
      var settings = {
        plugins: select.multiple ? ["remove_button"] : [],
        maxOptions: null,
        allowEmptyOption: true,
        hidePlaceholder: true,
        // One choice: the list closes once it is made, off the fields below it.
        closeAfterSelect: !select.multiple
      };
      // data-options-url: the page holds only the chosen options; matches come from the
      // server as you type (visits/views/options.py), which already filtered them.
      var url = select.getAttribute("data-options-url");
      if (url) {
        settings.valueField = "value";
        settings.labelField = "text";
        settings.searchField = ["text"];
        settings.preload = "focus";
        // Offer what the server answered for this very query (it also matches usernames and
        // contacts, which the label does not show).
        var answered = {};
        settings.score = function (query) {
          return function (item) {
            return answered[query] && answered[query][item.value] ? 1 : 0;
          };
        };
        settings.load = function (query, callback) {
          fetch(url + (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(query), {
            headers: { Accept: "application/json" },
            credentials: "same-origin"
          })
            .then(function (response) { return response.ok ? response.json() : { results: [] }; })
            .then(function (data) {
              answered[query] = {};
              data.results.forEach(function (row) { answered[query][row.value] = true; });
              callback(data.results);
            })
            .catch(function () { callback(); });
        };
      }
      var control = new window.TomSelect(select, settings);
      // Tom Select moves the <label> to its own input; the original select keeps its name.
      var label = document.getElementById(control.inputId + "-ts-label");
      if (label) select.setAttribute("aria-labelledby", label.id);
      // Enter in the search box chooses a match; it never submits the whole form.
      control.control_input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  }

  function visitorRows(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-formset-body] tr.formset-row"));
  }

  function rowInput(row, field) {
    return row.querySelector('input[name$="-' + field + '"]');
  }

  // Named visitors: rows with a name that are not marked for removal.
  function namedCount(form) {
    return visitorRows(form).filter(function (row) {
      var name = rowInput(row, "name");
      var remove = rowInput(row, "DELETE");
      return name && name.value.trim() !== "" && !(remove && remove.checked);
    }).length;
  }

  // The headcount follows the named visitors; a larger number typed by hand ("names to
  // follow") stays. The server accepts any headcount not below the names.
  function headcountKeeper(form) {
    var headcount = form.querySelector("input[data-headcount]");
    if (!headcount) return function () {};
    var follows = headcount.value === "" || parseInt(headcount.value, 10) === namedCount(form);
    headcount.addEventListener("input", function () {
      var value = parseInt(headcount.value, 10);
      follows = headcount.value === "" || value === namedCount(form);
    });
    return function () {
      var count = namedCount(form);
      var value = parseInt(headcount.value, 10);
      if (count > 0 && (follows || isNaN(value) || value < count)) {
        headcount.value = String(count);
        follows = true;
      }
    };
  }

  // Ticking a client contact adds them as a visitor row (name, title, phone); unticking takes
  // an unchanged row away again.
  function contactToVisitor(form, checkbox, sync) {
    var name = checkbox.getAttribute("data-contact-name") || "";
    var rows = visitorRows(form);
    if (checkbox.checked) {
      var same = rows.filter(function (row) {
        var input = rowInput(row, "name");
        return input && input.value.trim() === name;
      });
      if (same.length) return;
      var row = rows.filter(function (r) {
        var input = rowInput(r, "name");
        return input && input.value.trim() === "" && !r.querySelector('input[name$="-id"][value]:not([value=""])');
      })[0];
      if (!row) {
        var add = form.querySelector("[data-formset-add]");
        if (!add) return;
        add.click();
        rows = visitorRows(form);
        row = rows[rows.length - 1];
      }
      rowInput(row, "name").value = name;
      rowInput(row, "title").value = checkbox.getAttribute("data-contact-title") || "";
      rowInput(row, "phone").value = checkbox.getAttribute("data-contact-phone") || "";
      row.setAttribute("data-from-contact", checkbox.value);
    } else {
      rows.forEach(function (row) {
        var input = rowInput(row, "name");
        if (row.getAttribute("data-from-contact") === checkbox.value && input && input.value.trim() === name) {
          ["name", "title", "phone"].forEach(function (field) { rowInput(row, field).value = ""; });
          row.removeAttribute("data-from-contact");
        }
      });
    }
    sync();
  }

  // The late reason shows only when the arrival is fewer than the policy's lead-time days
  // after filing (the server checks it again on submit).
  function lateReasonKeeper(form) {
    var box = document.getElementById("late-reason-field");
    var arrival = form.querySelector('input[name="arrival_at"]');
    if (!box || !arrival) return function () {};
    var lead = parseInt(form.getAttribute("data-lead-time-days"), 10) || 0;
    var filed = form.getAttribute("data-filed-on");
    return function () {
      var text = box.querySelector("textarea");
      if (!arrival.value || !filed) {
        box.hidden = !(text && text.value.trim());
        return;
      }
      var days = Math.round((Date.parse(arrival.value.slice(0, 10)) - Date.parse(filed)) / 86400000);
      box.hidden = !(days < lead || (text && text.value.trim()));
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    searchable(document);
    var form = document.querySelector("form[data-visit-form]");
    if (!form) return;
    var syncHeadcount = headcountKeeper(form);
    var syncLate = lateReasonKeeper(form);
    form.addEventListener("input", function (event) {
      if (event.target.closest("[data-formset-body]")) syncHeadcount();
    });
    form.addEventListener("change", function (event) {
      var el = event.target;
      if (el.name === "contacts") contactToVisitor(form, el, syncHeadcount);
      else if (el.closest("[data-formset-body]")) syncHeadcount();
      if (el.name === "arrival_at") syncLate();
    });
    syncLate();
  });

  // Content htmx swaps in (e.g. a client's contacts) gets its searchable selects too.
  document.addEventListener("htmx:afterSettle", function (event) {
    searchable(event.target);
  });
  // Tables marked .table-stack turn into stacked cards on a phone (jiedai.css); each cell
  // gets its column's heading to show beside it.
  function labelStackedTables(root) {
    root.querySelectorAll("table.table-stack").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (cell.colSpan > 1 || !headings[index]) return;
          cell.setAttribute("data-label", headings[index]);
        });
      });
    });
  }

  // An offer to undo (the desk's check-in, for a minute) leaves once its time is up; the
  // server refuses it after that anyway.
  function expireOffers(root) {
    root.querySelectorAll("[data-expires-in]").forEach(function (el) {
      if (el.hasAttribute("data-expiring")) return;
      el.setAttribute("data-expiring", "");
      var seconds = parseInt(el.getAttribute("data-expires-in"), 10) || 0;
      window.setTimeout(function () { el.remove(); }, seconds * 1000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelStackedTables(document);
    expireOffers(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    expireOffers(event.target.ownerDocument ? event.target : document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    labelStackedTables(event.target.ownerDocument ? event.target : document);
  });
})();
