// EHR dashboard: small progressive enhancements; every page works without this file.
// - The account switcher submits itself when another account is picked.
// - The unread badge updates live: server-sent events (/notifications/events) arrive as
//   soon as the acting account's notifications change (a long poll, /notifications/poll, where
//   EventSource is missing); on the notifications page a banner offers a reload.
(function () {
  "use strict";

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.submit(); }
    });
  });

  var body = document.body;
  if (!body.hasAttribute("data-count") || !window.fetch) { return; }
  var count = Number(body.getAttribute("data-count"));
  var onPage = count;
  var unread = Number(body.getAttribute("data-unread"));
  var badge = document.getElementById("unread");
  var live = document.getElementById("live");
  var failures = 0;

  function show(data) {
    if (badge) {
      badge.textContent = String(data.unread);
      badge.hidden = data.unread === 0;
    }
    document.querySelectorAll("[data-unread-text]").forEach(function (el) {
      el.textContent = String(data.unread);
    });
    if (data.count > onPage && live) {
      var fresh = data.count - onPage;
      live.textContent = "";
      live.appendChild(document.createTextNode(fresh + " new notification" + (fresh === 1 ? "" : "s") + ". "));
      var link = document.createElement("a");
      link.href = "/notifications";
      link.textContent = "Show them";
      live.appendChild(link);
      live.hidden = false;
    }
  }

  function poll() {
    fetch("/notifications/poll?count=" + count + "&unread=" + unread, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        failures = 0;
        show(data);
        count = Math.max(count, data.count);
        unread = data.unread;
        setTimeout(poll, 250);
      })
      .catch(function () {
        failures += 1;
        setTimeout(poll, Math.min(60000, 2000 * failures));
      });
  }
  if (window.EventSource) {
    var source = new EventSource("/notifications/events");
    source.addEventListener("inbox", function (e) {
      var data = JSON.parse(e.data);
      show(data);
      count = Math.max(count, data.count);
      unread = data.unread;
    });
  } else {
    setTimeout(poll, 500);
  }
})();
