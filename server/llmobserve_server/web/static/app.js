/* llmobserve dashboard behaviour. No inline scripts anywhere (the CSP forbids them): pages mark
   elements with data-* attributes and this file wires them up, on load and after htmx swaps.
     data-copy-target="id"   a button that copies the text of #id
     data-confirm="question" a form that asks in the layout's <dialog> before it submits
     data-menu-toggle        the phone-width menu button
     data-chart="json-id"    a Chart.js chart whose data is the JSON in #json-id */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for plain-http self-hosting, where navigator.clipboard is unavailable.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  function wireCopy(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      if (button.dataset.wired) { return; }
      button.dataset.wired = "1";
      button.addEventListener("click", function () {
        var target = document.getElementById(button.dataset.copyTarget);
        var label = button.querySelector("[data-copy-label]") || button;
        var original = label.textContent;
        copyText(target ? target.textContent : "").then(function () {
          label.textContent = "Copied";
          button.classList.add("copied");
        }, function () {
          label.textContent = "Press Ctrl+C";
          var range = document.createRange();
          range.selectNodeContents(target);
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(range);
        });
        window.setTimeout(function () {
          label.textContent = original;
          button.classList.remove("copied");
        }, 2000);
      });
    });
  }

  function wireConfirm(root) {
    var dialog = document.getElementById("confirm-dialog");
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.wired) { return; }
      form.dataset.wired = "1";
      form.addEventListener("submit", function (event) {
        if (!dialog || form.dataset.confirmed) { return; }
        event.preventDefault();
        dialog.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
        dialog.querySelector("[data-confirm-button]").textContent =
          form.dataset.confirmLabel || "Confirm";
        dialog.returnValue = "";
        dialog.onclose = function () {
          if (dialog.returnValue === "confirm") {
            form.dataset.confirmed = "1";
            form.requestSubmit ? form.requestSubmit() : form.submit();
          }
        };
        dialog.showModal();
      });
    });
  }

  function wireMenu(root) {
    root.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
      if (button.dataset.wired) { return; }
      button.dataset.wired = "1";
      button.addEventListener("click", function () {
        var sidebar = document.getElementById("sidebar");
        var open = sidebar.dataset.open !== "true";
        sidebar.dataset.open = open ? "true" : "false";
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  }

  // The pages' one money rule (money.display_usd): cents from a dollar up, four significant
  // digits below, never fewer than two decimals.
  var cents = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD",
    minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var money = { format: function (value) {
    var amount = Math.abs(Number(value));
    if (amount === 0 || amount >= 0.995) { return cents.format(Number(value)); }
    var digits = Math.min(20, 3 - Math.floor(Math.log10(amount)));
    var text = amount.toFixed(digits).replace(/0+$/, "");
    var decimals = text.split(".")[1] || "";
    while (decimals.length < 2) { decimals += "0"; }
    return (Number(value) < 0 ? "-$" : "$") + text.split(".")[0] + "." + decimals;
  } };
  var palette = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#64748b"];

  function wireCharts(root) {
    if (!window.Chart) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      if (box.dataset.wired) { return; }
      box.dataset.wired = "1";
      var spec = JSON.parse(document.getElementById(box.dataset.chart).textContent);
      var canvas = box.querySelector("canvas");
      box.classList.add("chart-h-" + (box.dataset.height || "260"));
      var format = spec.money ? function (v) { return money.format(v); } : function (v) {
        return Number(v).toLocaleString("en-US");
      };
      new window.Chart(canvas, {
        type: spec.kind,
        data: {
          labels: spec.labels,
          datasets: spec.series.map(function (s, i) {
            var color = palette[i % palette.length];
            return { label: s.label, data: s.values, backgroundColor: spec.kind === "line" ? color + "22" : color,
              borderColor: color, borderWidth: 2, fill: spec.kind === "line", tension: 0.3,
              pointRadius: 0, borderRadius: 4 };
          })
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { display: spec.series.length > 1,
              position: spec.stacked ? "bottom" : "top", labels: { boxWidth: 10, boxHeight: 10 } },
            tooltip: { filter: function (item) { return !spec.stacked || item.parsed.y !== 0; },
              callbacks: { label: function (c) { return c.dataset.label + ": " + format(c.parsed.y); },
                footer: function (items) {
                  if (!spec.stacked || items.length < 2) { return ""; }
                  return "Total: " + format(items.reduce(function (sum, i) { return sum + i.parsed.y; }, 0));
                } } } },
          scales: { y: { beginAtZero: true, stacked: !!spec.stacked, grid: { color: "#eef0f4" },
              ticks: { callback: format, maxTicksLimit: 6 } },
            x: { stacked: !!spec.stacked, grid: { display: false },
              ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 8 } } }
        }
      });
    });
  }

  function wire(root) {
    wireCopy(root);
    wireConfirm(root);
    wireMenu(root);
    wireCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function (event) { wire(event.target); });
})();
