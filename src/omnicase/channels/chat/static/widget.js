/* omnicase chat widget: <script src="https://HOST/chat/widget.js" data-key="KEY"></script>
 * Plain JS, no build step. Message content is only ever set with textContent.
 * Protocol: src/omnicase/channels/chat/protocol.py. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var key = script.getAttribute("data-key");
  var base = new URL(script.src, location.href);
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/chat/ws/" + encodeURIComponent(key);
  var store = "omnicase-chat:" + key;

  function load() {
    try { return JSON.parse(localStorage.getItem(store) || "{}"); } catch (e) { return {}; }
  }
  var state = load();
  state.outbox = state.outbox || [];   // [{client_id, text}] not acked yet
  state.lastSeq = state.lastSeq || 0;
  function save() { try { localStorage.setItem(store, JSON.stringify(state)); } catch (e) { /* private mode */ } }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function newId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "c_" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- the panel ---------------------------------------------------------------------
  var root = el("div", "omnicase-chat");
  root.setAttribute("style", "position:fixed;bottom:16px;right:16px;width:320px;font:14px sans-serif;" +
    "background:#fff;border:1px solid #ccc;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.2);z-index:2147483000");
  var header = el("div", "omnicase-chat-title", "Chat");
  header.setAttribute("style", "padding:8px;background:#234;color:#fff;border-radius:8px 8px 0 0");
  var statusLine = el("div", "omnicase-chat-status", "connecting…");
  statusLine.setAttribute("style", "padding:2px 8px;font-size:12px;color:#666");
  var log = el("div", "omnicase-chat-log");
  log.setAttribute("style", "height:240px;overflow-y:auto;padding:8px");
  log.setAttribute("aria-live", "polite");
  var typingLine = el("div", "omnicase-chat-typing", "");
  typingLine.setAttribute("style", "padding:0 8px;font-size:12px;color:#666;min-height:16px");

  var prechat = el("form", "omnicase-chat-prechat");
  prechat.setAttribute("style", "padding:8px;display:none");
  var nameInput = el("input"); nameInput.name = "name"; nameInput.placeholder = "Your name"; nameInput.required = true;
  var emailInput = el("input"); emailInput.name = "email"; emailInput.type = "email"; emailInput.placeholder = "Email (optional)";
  var startButton = el("button", null, "Start"); startButton.type = "submit";
  prechat.appendChild(nameInput); prechat.appendChild(emailInput); prechat.appendChild(startButton);

  var form = el("form", "omnicase-chat-form");
  form.setAttribute("style", "display:flex;padding:8px;gap:4px");
  var input = el("input"); input.name = "text"; input.placeholder = "Type your message"; input.setAttribute("style", "flex:1");
  var sendButton = el("button", null, "Send"); sendButton.type = "submit";
  form.appendChild(input); form.appendChild(sendButton);

  root.appendChild(header); root.appendChild(statusLine); root.appendChild(log);
  root.appendChild(typingLine); root.appendChild(prechat); root.appendChild(form);

  var shown = {};   // client_id or "s"+seq → the line element
  function line(kind, author, text, id) {
    var row = el("div", "omnicase-chat-msg omnicase-chat-" + kind);
    row.setAttribute("style", "margin:4px 0;" + (kind === "visitor" ? "text-align:right" : ""));
    if (author) { row.appendChild(el("div", "omnicase-chat-author", author)); }
    row.appendChild(el("span", "omnicase-chat-text", text));
    var mark = el("span", "omnicase-chat-mark", kind === "visitor" ? " …" : "");
    row.appendChild(mark);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    if (id) { shown[id] = row; }
    return row;
  }
  function acked(clientId) {
    var row = shown[clientId];
    if (row) { row.lastChild.textContent = " ✓"; row.setAttribute("data-acked", "true"); }
  }

  // ---- the socket --------------------------------------------------------------------
  var ws = null, ready = false, backoff = 500, typingSent = 0, typingTimer = null;

  function send(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function flush() {
    if (!ready || !state.name) { return; }
    state.outbox.forEach(function (m) { send({ type: "message", client_id: m.client_id, text: m.text }); });
  }
  function showPrechat(show) {
    prechat.style.display = show ? "block" : "none";
    form.style.display = show ? "none" : "flex";
  }

  function onFrame(frame) {
    if (frame.type === "welcome") {
      if (frame.visitor !== state.visitor) { state.lastSeq = 0; }
      state.visitor = frame.visitor; state.token = frame.token;
      if (frame.title) { header.textContent = frame.title; }
      if (frame.name) { state.name = frame.name; }
      save(); ready = true; backoff = 500;
      statusLine.textContent = "connected";
      if (state.name && frame.prechat) {
        send({ type: "prechat", name: state.name, email: state.email || null });
      } else {
        showPrechat(!state.name); flush();
      }
    } else if (frame.type === "prechat_ok") {
      showPrechat(false); flush();
    } else if (frame.type === "ack") {
      state.outbox = state.outbox.filter(function (m) { return m.client_id !== frame.client_id; });
      save(); acked(frame.client_id);
    } else if (frame.type === "message") {
      if (frame.seq > state.lastSeq) { state.lastSeq = frame.seq; save(); }
      if (frame.from === "agent") {
        if (!shown["s" + frame.seq]) { line("agent", frame.author || "Agent", frame.text, "s" + frame.seq); }
        typingLine.textContent = "";
        send({ type: "seen", seq: frame.seq });
      } else if (!(frame.client_id && shown[frame.client_id])) {
        var row = line("visitor", null, frame.text, frame.client_id);
        row.lastChild.textContent = " ✓";
      }
    } else if (frame.type === "typing") {
      typingLine.textContent = frame.state ? (frame.author || "Agent") + " is typing…" : "";
    } else if (frame.type === "error") {
      if (frame.code === "prechat_required") { showPrechat(true); }
      if (frame.code === "retry_later") { setTimeout(flush, 3000); }
      statusLine.textContent = "error: " + frame.reason;
    }
  }

  function connect() {
    ws = new WebSocket(wsUrl);
    ws.onopen = function () {
      send({ type: "hello", visitor: state.visitor || null, token: state.token || null, last_seq: state.lastSeq || 0 });
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      onFrame(frame);
    };
    ws.onclose = function () {
      ready = false;
      statusLine.textContent = "reconnecting…";
      setTimeout(connect, backoff + Math.floor(Math.random() * 250));
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  prechat.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = nameInput.value.trim();
    if (!name) { return; }
    state.name = name; state.email = emailInput.value.trim() || null; save();
    send({ type: "prechat", name: state.name, email: state.email });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    var message = { client_id: newId(), text: text };
    state.outbox.push(message); save();   // queued until acked, resent after a reconnect
    line("visitor", null, text, message.client_id);
    input.value = "";
    if (ready) { send({ type: "message", client_id: message.client_id, text: text }); }
    send({ type: "typing", state: false }); typingSent = 0;
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - typingSent > 3000) { typingSent = now; send({ type: "typing", state: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingSent = 0; send({ type: "typing", state: false }); }, 5000);
  });

  function start() {
    document.body.appendChild(root);
    state.outbox.forEach(function (m) { line("visitor", null, m.text, m.client_id); });
    connect();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
