/*
 * Chat widget of the tourism and public-service assistant of Huế, Quảng Ngãi and Quảng Nam.
 *
 * Embed it with one tag (the site's origin must be in the gateway's WEB_ALLOWED_ORIGINS):
 *   <script src="https://chat.example.vn/widget.js" data-server="https://chat.example.vn" data-lang="vi" defer></script>
 * data-server: the gateway (default: where widget.js comes from); data-lang: "vi" (default) or "en".
 *
 * Safety rule of this file: whatever the bot or the user says reaches the page only through textContent, and
 * links and images only through safeUrl() (http and https). Nothing here parses HTML.
 */
(function () {
  "use strict";

  if (window.__mienTrungChat) {
    return;
  }
  window.__mienTrungChat = true;

  // document.currentScript is null when a tag manager injects the script: then look for the tag itself.
  var script = document.currentScript || document.querySelector('script[src$="/widget.js"][data-server]');

  // The widget's own interface strings. What the assistant says comes from the server.
  var STRINGS = {
    vi: {
      title: "Trợ lý du lịch & dịch vụ công",
      subtitle: "Huế · Quảng Ngãi · Quảng Nam",
      open: "Mở khung trò chuyện với trợ lý",
      close: "Đóng khung trò chuyện",
      reset: "Bắt đầu cuộc trò chuyện mới",
      log: "Nội dung trò chuyện",
      inputLabel: "Câu hỏi của bạn",
      placeholder: "Nhập câu hỏi…",
      send: "Gửi",
      typing: "Trợ lý đang trả lời…",
      quickReplies: "Gợi ý trả lời",
      you: "Bạn",
      bot: "Trợ lý",
      notice: "Thông báo",
      map: "Xem bản đồ",
      openLink: "Mở liên kết",
      download: "Tải về",
      image: "Hình ảnh từ trợ lý",
      shareLocation: "Chia sẻ vị trí của tôi",
      myLocation: "Vị trí của tôi",
      noLocation: "Trình duyệt chưa cho biết vị trí của bạn (có thể bạn chưa cho phép). Bạn vẫn có thể hỏi, ví dụ: “Quảng Nam có những di tích nào?”",
      offline: "Không kết nối được với trợ lý. Bạn vui lòng kiểm tra mạng và thử lại.",
      counter: "{n}/{max} ký tự",
    },
    en: {
      title: "Tourism & public-service assistant",
      subtitle: "Huế · Quảng Ngãi · Quảng Nam",
      open: "Open the chat with the assistant",
      close: "Close the chat",
      reset: "Start a new conversation",
      log: "Conversation",
      inputLabel: "Your question",
      placeholder: "Type a question…",
      send: "Send",
      typing: "The assistant is typing…",
      quickReplies: "Suggested replies",
      you: "You",
      bot: "Assistant",
      notice: "Notice",
      map: "Open map",
      openLink: "Open the link",
      download: "Download",
      image: "Image from the assistant",
      shareLocation: "Share my location",
      myLocation: "My location",
      noLocation: "Your browser did not share your location (perhaps it was not allowed). You can still ask, for example: “Which heritage sites does Quảng Nam have?”",
      offline: "Cannot reach the assistant. Please check your connection and try again.",
      counter: "{n}/{max} characters",
    },
  };

  var MAX_CHARS = 1000;
  var MAX_ITEMS = 200;
  var REQUEST_TIMEOUT_MS = 35000;
  var URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
  var ICONS = {
    chat: "M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2zM6 9h12v2H6V9zm8 5H6v-2h8v2zm4-6H6V6h12v2z",
    close:
      "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
    send: "M2.01 21 23 12 2.01 3 2 10l15 2-15 2z",
    reset:
      "M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.73 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35z",
  };

  function readConfig() {
    var data = (script && script.dataset) || {};
    var base = script && script.src ? new URL(script.src, window.location.href).origin : window.location.origin;
    var server = (data.server || base).replace(/\/+$/, "");
    var lang = data.lang === "en" ? "en" : "vi";
    return { server: server, lang: lang };
  }

  var config = readConfig();
  var S = STRINGS[config.lang];
  var STORE_KEY = "mien-trung-chat:v1:" + config.server;

  // ---- Storage: the session token and the transcript survive a reload (localStorage of the host site). ----

  function loadState() {
    var empty = { session: null, items: [], open: false };
    try {
      var data = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (!data || typeof data !== "object") {
        return empty;
      }
      return {
        session: typeof data.session === "string" ? data.session : null,
        items: Array.isArray(data.items) ? data.items.slice(-MAX_ITEMS) : [],
        open: data.open === true,
      };
    } catch (error) {
      return empty;
    }
  }

  var state = loadState();

  function saveState() {
    state.items = state.items.slice(-MAX_ITEMS);
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (error) {
      // Storage full or disabled: the conversation still works, it just does not survive a reload.
    }
  }

  // ---- DOM helpers: text only through textContent; attribute names are constants of this file. ----

  function el(tag, options, children) {
    var node = document.createElement(tag);
    var opts = options || {};
    if (opts.className) {
      node.className = opts.className;
    }
    if (opts.text !== undefined && opts.text !== null) {
      node.textContent = String(opts.text);
    }
    var attrs = opts.attrs || {};
    Object.keys(attrs).forEach(function (name) {
      node.setAttribute(name, String(attrs[name]));
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(child);
      }
    });
    return node;
  }

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon icon-" + name);
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  /** An absolute http(s) URL, or null: javascript:, data:, vbscript: and the like never become links. */
  function safeUrl(value) {
    if (typeof value !== "string" || !value.trim()) {
      return null;
    }
    var url;
    try {
      url = new URL(value.trim(), config.server + "/");
    } catch (error) {
      return null;
    }
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  }

  function link(href, label, className) {
    return el("a", {
      className: className || "",
      text: label,
      attrs: { href: href, target: "_blank", rel: "noopener noreferrer" },
    });
  }

  /** A link when `value` is a safe URL, the value as plain text when it is not. */
  function linkOrText(value, label, className) {
    var href = safeUrl(value);
    if (href) {
      return link(href, label, className);
    }
    return typeof value === "string" && value ? el("p", { className: "unsafe-link", text: value }) : null;
  }

  /** Paragraphs (split at blank lines) of plain text; http(s) URLs in it become safe links. */
  function richText(text) {
    var fragment = document.createDocumentFragment();
    String(text)
      .split(/\n[ \t]*\n/)
      .forEach(function (paragraph) {
        var p = el("p");
        var last = 0;
        paragraph.replace(URL_PATTERN, function (match, offset) {
          var url = match.replace(/[.,;:!?)\]]+$/, "");
          var href = safeUrl(url);
          p.appendChild(document.createTextNode(paragraph.slice(last, offset)));
          p.appendChild(href ? link(href, url) : document.createTextNode(url));
          last = offset + url.length;
          return match;
        });
        p.appendChild(document.createTextNode(paragraph.slice(last)));
        fragment.appendChild(p);
      });
    return fragment;
  }

  function image(value, alt, className) {
    var src = safeUrl(value);
    if (!src) {
      return null;
    }
    var img = el("img", {
      className: className || "",
      attrs: { src: src, alt: typeof alt === "string" && alt ? alt : S.image, referrerpolicy: "no-referrer" },
    });
    img.addEventListener("load", scrollToEnd); // the picture made the log taller: keep the latest in view
    return img;
  }

  // ---- Rendering of the transcript ----

  function messageNode(kind, children, extraClass) {
    var speaker = { user: S.you, bot: S.bot, notice: S.notice }[kind];
    var node = el("div", { className: "msg msg-" + kind + (extraClass ? " " + extraClass : "") }, [el("span", { className: "visually-hidden", text: speaker + ": " })]);
    children.forEach(function (child) {
      if (child) {
        node.appendChild(child);
      }
    });
    return node;
  }

  function card(custom) {
    var body = el("div", { className: "card-body" }, [
      typeof custom.title === "string" ? el("p", { className: "card-title", text: custom.title }) : null,
      typeof custom.text === "string" ? el("div", { className: "card-text" }, [richText(custom.text)]) : null,
      typeof custom.address === "string" ? el("p", { className: "card-address", text: custom.address }) : null,
      linkOrText(custom.url || custom.map_url, S.map, "card-link"),
    ]);
    return el("div", { className: "card" }, [image(custom.image, custom.title, "card-image"), body]);
  }

  function renderCustom(custom) {
    if (!custom || typeof custom !== "object") {
      return null;
    }
    if (custom.type === "card" || custom.type === "venue") {
      return card(custom);
    }
    if (custom.type === "document") {
      var name = typeof custom.filename === "string" && custom.filename ? custom.filename : S.openLink;
      var file = linkOrText(custom.url, S.download + ": " + name, "document-link");
      if (file && file.tagName === "A") {
        file.setAttribute("download", name); // saved under its own name (e.g. an event's .ics calendar file)
      }
      return file;
    }
    if (custom.type === "location_request") {
      var button = el("button", {
        className: "quick-reply share-location",
        text: S.shareLocation,
        attrs: { type: "button" },
      });
      button.addEventListener("click", shareLocation);
      return button;
    }
    return null;
  }

  /** The first line of a text: the short description of an image that comes with it. */
  function firstLine(text) {
    return typeof text === "string" ? text.split("\n")[0].trim() : "";
  }

  /** The first line of the text next to replies[index] (the one after it, else before): an image's alt. */
  function describedBy(replies, index) {
    var order = replies.slice(index + 1).concat(replies.slice(0, index).reverse());
    var found = order.filter(function (r) {
      return r && typeof r.text === "string" && r.text;
    })[0];
    return found ? firstLine(found.text) : "";
  }

  /** A bot reply; `alt` describes its image when the reply has no text of its own (see send()). */
  function renderReply(reply, alt) {
    if (!reply || typeof reply !== "object") {
      return null;
    }
    var parts = [];
    if (typeof reply.text === "string" && reply.text) {
      parts.push(richText(reply.text));
    }
    parts.push(image(reply.image, firstLine(reply.text) || alt, "reply-image"));
    var custom = renderCustom(reply.custom);
    parts.push(custom);
    if (!parts.some(Boolean)) {
      return null;
    }
    var cardOnly = custom && custom.classList.contains("card") && parts.filter(Boolean).length === 1;
    return messageNode("bot", parts, cardOnly ? "msg-card" : "");
  }

  function renderItem(item) {
    if (!item || typeof item !== "object") {
      return null;
    }
    if (item.who === "user" || item.who === "notice") {
      var node = messageNode(item.who, [el("p", { text: typeof item.text === "string" ? item.text : "" })]);
      if (item.who === "notice") {
        node.setAttribute("role", "alert");
      }
      return node;
    }
    return item.who === "bot" ? renderReply(item.reply, item.alt) : null;
  }

  function quickReplies(buttons) {
    if (!Array.isArray(buttons)) {
      return null;
    }
    var group = el("div", { className: "quick-replies", attrs: { role: "group", "aria-label": S.quickReplies } });
    buttons.forEach(function (b) {
      if (!b || typeof b.title !== "string" || typeof b.payload !== "string") {
        return;
      }
      var button = el("button", { className: "quick-reply", text: b.title, attrs: { type: "button" } });
      button.addEventListener("click", function () {
        focusInside(); // the buttons go away: the focus stays in the panel
        send(b.payload, b.title);
      });
      group.appendChild(button);
    });
    return group.childNodes.length ? group : null;
  }

  // ---- The widget's elements (in a shadow root: the host page's CSS and the widget's do not mix) ----

  var host = el("div", { attrs: { id: "mien-trung-chat", lang: config.lang } });
  var shadow = host.attachShadow({ mode: "open" });
  var stylesheet = el("link", { attrs: { rel: "stylesheet", href: config.server + "/widget.css" } });
  var root = el("div", { className: "root", attrs: { hidden: "" } });

  var bubble = el("button", {
    className: "bubble",
    attrs: { type: "button", "aria-label": S.open, title: S.open, "aria-expanded": "false", "aria-controls": "mtc-panel" },
  });
  bubble.appendChild(icon("chat"));
  bubble.appendChild(icon("close"));

  var closeButton = el("button", {
    className: "icon-button close",
    attrs: { type: "button", "aria-label": S.close, title: S.close },
  });
  closeButton.appendChild(icon("close"));
  var resetButton = el("button", {
    className: "icon-button reset",
    attrs: { type: "button", "aria-label": S.reset, title: S.reset },
  });
  resetButton.appendChild(icon("reset"));

  var log = el("div", {
    className: "log",
    attrs: { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": S.log, tabindex: "0" },
  });
  var typing = el("div", { className: "typing", attrs: { role: "status", hidden: "" } }, [
    el("span", { className: "dots", attrs: { "aria-hidden": "true" } }, [
      el("span", { className: "dot" }),
      el("span", { className: "dot" }),
      el("span", { className: "dot" }),
    ]),
    el("span", { className: "visually-hidden typing-text" }),
  ]);
  var input = el("textarea", {
    className: "input",
    attrs: { id: "mtc-input", rows: "1", placeholder: S.placeholder, autocomplete: "off", enterkeyhint: "send" },
  });
  var counter = el("p", { className: "counter", attrs: { id: "mtc-counter", hidden: "" } });
  input.setAttribute("aria-describedby", "mtc-counter");
  var sendButton = el("button", { className: "send", attrs: { type: "submit", "aria-label": S.send, title: S.send } });
  sendButton.appendChild(icon("send"));
  var form = el("form", { className: "composer", attrs: { novalidate: "" } }, [
    el("label", { className: "visually-hidden", text: S.inputLabel, attrs: { for: "mtc-input" } }),
    input,
    sendButton,
  ]);

  var panel = el(
    "div",
    { className: "panel", attrs: { id: "mtc-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "mtc-title", hidden: "" } },
    [
      el("div", { className: "header" }, [
        el("div", { className: "titles" }, [
          el("h2", { text: S.title, attrs: { id: "mtc-title" } }),
          el("p", { text: S.subtitle }),
        ]),
        resetButton,
        closeButton,
      ]),
      log,
      typing,
      counter,
      form,
    ]
  );

  root.appendChild(panel);
  root.appendChild(bubble);
  shadow.appendChild(stylesheet);
  shadow.appendChild(root);

  function reveal() {
    root.removeAttribute("hidden");
  }
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);
  setTimeout(reveal, 3000);

  // ---- Behaviour ----

  var busy = false;
  // Messages sent while a reply is in flight (the greeting, a previous question): sent in order after it, so
  // nothing a person typed is dropped.
  var queue = [];

  /** Focus the input; on a touch screen the log instead, so that the keyboard does not cover the answer. */
  function focusInside() {
    if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
      log.focus();
    } else {
      input.focus();
    }
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function clearQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick-replies"), function (group) {
      group.remove();
    });
  }

  function append(item, withButtons) {
    var node = renderItem(item);
    if (node) {
      log.appendChild(node);
    }
    if (withButtons && item.who === "bot" && item.reply) {
      var group = quickReplies(item.reply.buttons);
      if (group) {
        log.appendChild(group);
      }
    }
  }

  function addItem(item) {
    state.items.push(item);
    saveState();
    append(item, true);
    scrollToEnd();
  }

  function renderAll() {
    log.textContent = "";
    var lastUser = -1;
    state.items.forEach(function (item, index) {
      if (item && item.who === "user") {
        lastUser = index;
      }
    });
    state.items.forEach(function (item, index) {
      append(item, index > lastUser);
    });
    scrollToEnd();
  }

  function setBusy(value) {
    busy = value;
    log.setAttribute("aria-busy", String(value));
    typing.hidden = !value;
    typing.querySelector(".typing-text").textContent = value ? S.typing : "";
    if (value) {
      scrollToEnd();
    }
  }

  async function post(path, body, session) {
    var headers = { "Accept-Language": config.lang };
    if (body) {
      headers["Content-Type"] = "application/json";
    }
    if (session) {
      headers.Authorization = "Bearer " + session;
    }
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, REQUEST_TIMEOUT_MS);
    try {
      var response = await fetch(config.server + path, {
        method: "POST",
        headers: headers,
        body: body ? JSON.stringify(body) : undefined,
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        signal: controller.signal,
      });
      var data = {};
      try {
        data = await response.json();
      } catch (error) {
        data = {};
      }
      return { ok: response.ok, status: response.status, data: data && typeof data === "object" ? data : {} };
    } catch (error) {
      return { ok: false, status: 0, data: {} };
    } finally {
      clearTimeout(timer);
    }
  }

  function noticeOf(result) {
    return typeof result.data.message === "string" && result.data.message ? result.data.message : S.offline;
  }

  /** The assistant's replies to `text`, or a notice; a stale or unknown session is replaced once. */
  async function exchange(text) {
    for (var attempt = 0; attempt < 2; attempt += 1) {
      if (!state.session) {
        var issued = await post("/api/session", null, null);
        if (!issued.ok || typeof issued.data.session !== "string") {
          return { notice: noticeOf(issued) };
        }
        state.session = issued.data.session;
        saveState();
      }
      var result = await post("/api/message", { text: text, language: config.lang }, state.session);
      if (result.status === 401 && attempt === 0) {
        state.session = null;
        continue;
      }
      if (result.ok && Array.isArray(result.data.replies)) {
        return { replies: result.data.replies };
      }
      return { notice: noticeOf(result) };
    }
    return { notice: S.offline };
  }

  /**
   * Send `text`; `shown` is what the transcript shows for it (null: nothing, e.g. the greeting). It is shown at
   * once and sent when the replies before it have arrived; resolves to its outcome (null for empty text).
   */
  function send(text, shown) {
    if (typeof text !== "string" || !text.trim()) {
      return Promise.resolve(null);
    }
    clearQuickReplies();
    if (shown !== null) {
      addItem({ who: "user", text: shown === undefined ? text.trim() : shown });
    }
    return new Promise(function (resolve) {
      queue.push({ text: text.trim(), resolve: resolve });
      if (!busy) {
        drain();
      }
    });
  }

  /** Send the queued messages one after the other, each after the replies to the one before. */
  async function drain() {
    setBusy(true);
    try {
      while (queue.length) {
        var next = queue.shift();
        next.resolve(await deliver(next.text));
      }
    } finally {
      setBusy(false);
    }
  }

  async function deliver(text) {
    var outcome;
    try {
      outcome = await exchange(text);
    } catch (error) {
      outcome = { notice: S.offline };
    }
    if (outcome.replies) {
      outcome.replies.forEach(function (reply, index) {
        var item = { who: "bot", reply: reply };
        if (reply && reply.image && !(typeof reply.text === "string" && reply.text)) {
          item.alt = describedBy(outcome.replies, index);
        }
        addItem(item);
      });
    } else {
      addItem({ who: "notice", text: outcome.notice });
    }
    return outcome;
  }

  function greet() {
    send('/greet{"language": "' + config.lang + '"}', null);
  }

  /** Degrees rounded to 5 decimals (about a metre): enough for distances, no more precise than needed. */
  function degrees(value) {
    return Math.round(value * 1e5) / 1e5;
  }

  /** Asked only when the user taps "share my location" (the browser then asks for consent). */
  function shareLocation() {
    if (!navigator.geolocation) {
      addItem({ who: "notice", text: S.noLocation });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var where = { latitude: degrees(position.coords.latitude), longitude: degrees(position.coords.longitude) };
        send("/share_location" + JSON.stringify(where), S.myLocation);
      },
      function () {
        addItem({ who: "notice", text: S.noLocation });
      },
      { timeout: 15000, maximumAge: 60000 }
    );
  }

  function setOpen(open, moveFocus) {
    state.open = open;
    saveState();
    panel.hidden = !open;
    root.classList.toggle("is-open", open);
    bubble.setAttribute("aria-expanded", String(open));
    bubble.setAttribute("aria-label", open ? S.close : S.open);
    bubble.setAttribute("title", open ? S.close : S.open);
    if (open) {
      scrollToEnd();
      if (moveFocus) {
        focusInside();
      }
      if (!state.items.length && !busy) {
        greet();
      }
    } else if (moveFocus) {
      bubble.focus();
    }
  }

  function updateCounter() {
    var length = Array.from(input.value).length;
    counter.hidden = length < MAX_CHARS * 0.9;
    counter.textContent = format(S.counter, { n: length, max: MAX_CHARS });
    counter.classList.toggle("over", length > MAX_CHARS);
  }

  async function submit() {
    var text = input.value;
    if (!text.trim()) {
      return;
    }
    input.value = "";
    updateCounter();
    var outcome = await send(text);
    if (outcome && outcome.notice && !input.value) {
      input.value = text; // refused (too long, too fast, unavailable): the user can edit and send it again
      updateCounter();
    }
  }

  bubble.addEventListener("click", function () {
    setOpen(panel.hidden, true);
  });
  closeButton.addEventListener("click", function () {
    setOpen(false, true);
  });
  resetButton.addEventListener("click", function () {
    if (busy) {
      return;
    }
    state = { session: null, items: [], open: true };
    saveState();
    renderAll();
    focusInside();
    greet();
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false, true);
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", updateCounter);

  function mount() {
    document.body.appendChild(host);
    renderAll();
    if (state.open) {
      setOpen(true, false);
    }
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
