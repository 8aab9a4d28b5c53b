/* omnicase web app: behaviour that needs script, none inline (the CSP forbids it).
 * - HTMX errors: show the server's error fragment in the flash area.
 * - Keyboard shortcuts on the inbox: j/k move, o/Enter open, / search, r reply.
 */
(function () {
  "use strict";

  function flash(html) {
    var area = document.getElementById("flash");
    if (!area) return;
    var box = document.createElement("div");
    box.innerHTML = html; // server-rendered, autoescaped fragment
    var node = box.firstElementChild || document.createTextNode(box.textContent || "");
    area.appendChild(node);
    setTimeout(function () { if (node.parentNode) node.parentNode.removeChild(node); }, 8000);
  }

  document.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText) {
      flash(xhr.responseText);
    } else {
      var p = document.createElement("div");
      p.className = "alert alert-error";
      p.textContent = "Error " + xhr.status;
      flash(p.outerHTML);
    }
  });

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-case-row]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (r, i) { r.classList.toggle("selected", i === index); r.setAttribute("aria-selected", i === index ? "true" : "false"); });
    all[index].scrollIntoView({ block: "nearest" });
  }

  function current() {
    var all = rows();
    for (var i = 0; i < all.length; i++) if (all[i].classList.contains("selected")) return i;
    return -1;
  }

  function open(row) {
    var link = row && row.querySelector("a[data-open]");
    if (link) window.location.href = link.getAttribute("href");
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var page = document.body.getAttribute("data-page");
    if (ev.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { ev.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (ev.key === "r") {
      var reply = document.querySelector("[data-reply-text]");
      if (reply) { ev.preventDefault(); reply.focus(); return; }
    }
    if (page !== "inbox") return;
    var i = current();
    if (ev.key === "j") { ev.preventDefault(); select(i + 1); }
    else if (ev.key === "k") { ev.preventDefault(); select(i < 0 ? 0 : i - 1); }
    else if (ev.key === "o" || ev.key === "Enter") {
      if (i >= 0) { ev.preventDefault(); open(rows()[i]); }
    } else if (ev.key === "r") {
      if (i >= 0) { ev.preventDefault(); var link = rows()[i].querySelector("a[data-open]"); if (link) window.location.href = link.getAttribute("href") + "#reply"; }
    }
  });

  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("[data-case-row]");
    if (row && !ev.target.closest("a, button, input")) open(row);
  });

  /* the message frame's "show images" and other data-action buttons */
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-frame-toggle]");
    if (!btn) return;
    var frame = document.getElementById(btn.getAttribute("data-frame-toggle"));
    if (!frame) return;
    frame.setAttribute("src", btn.getAttribute("data-src"));
    btn.classList.add("hidden");
  });
})();
