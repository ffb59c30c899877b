// Progressive enhancement of the server-rendered pages: every form and link works without it.
"use strict";

const lang = document.documentElement.lang || "en";
// The zone chosen under Settings, else the browser's own.
const timeZone = document.documentElement.dataset.timeZone || undefined;

function announce(text, isError) {
  const box = document.getElementById("messages");
  if (!box || !text) return;
  const p = document.createElement("p");
  p.className = isError ? "message error" : "message";
  p.textContent = text;
  box.replaceChildren(p);
}

async function postForm(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

// --- Times: the viewer's time zone and language; "5 minutes ago" when recent, the exact time on hover.

const exact = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone });
const relative = new Intl.RelativeTimeFormat(lang, { numeric: "always", style: "long" });
const STEPS = [["second", 60], ["minute", 60], ["hour", 24], ["day", 7]];

function showTime(element) {
  const when = new Date(element.getAttribute("datetime"));
  if (Number.isNaN(when.getTime())) return;
  const full = exact.format(when);
  element.title = full;
  let amount = Math.round((when.getTime() - Date.now()) / 1000);
  for (const [unit, size] of STEPS) {
    if (Math.abs(amount) < size) {
      element.textContent = relative.format(Math.min(amount, 0), unit);
      element.setAttribute("aria-label", full);
      return;
    }
    amount = Math.round(amount / size);
  }
  element.textContent = full;
}

function showTimes(root) {
  root.querySelectorAll("time[datetime]").forEach(showTime);
}

// --- In-place actions (Like, Follow): focus stays on the control, so Enter again undoes it.

document.addEventListener("submit", async (event) => {
  const form = event.target;
  const kind = form.dataset && form.dataset.inplace;
  if (!kind) return;
  event.preventDefault();
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  const button = form.querySelector("button");
  button.setAttribute("aria-busy", "true");
  try {
    const data = await postForm(form);
    if (kind === "tweet") {
      const article = form.closest("article");
      const replacement = fragment(data.html).querySelector("article");
      showTimes(replacement);
      article.replaceWith(replacement);
      replacement.querySelector("[data-inplace] button").focus();
    } else if (kind === "follow") {
      const following = data.following;
      button.textContent = following ? button.dataset.unfollowLabel : button.dataset.followLabel;
      button.className = following ? "on" : "primary";
      form.action = following ? form.dataset.unfollowUrl : form.dataset.followUrl;
      const holder = form.closest(".person, .profile");
      const count = holder && holder.querySelector("[data-followers-count]");
      if (count) count.textContent = data.followers_label;
    }
    announce(data.message, false);
  } catch (error) {
    announce(error.message, true);
  } finally {
    delete form.dataset.busy;
    button.removeAttribute("aria-busy");
  }
});

// --- Load more: the next cursor page's articles, appended in place of the link.

document.addEventListener("click", async (event) => {
  const link = event.target.closest && event.target.closest("[data-load-more]");
  if (!link) return;
  event.preventDefault();
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("partial", "1");
  link.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok || response.redirected) { window.location.href = link.href; return; }
    const more = link.closest("[data-more]");
    const content = fragment(await response.text());
    showTimes(content);
    const first = content.querySelector("article");
    more.replaceWith(content);
    if (first) {
      const author = document.getElementById(first.id).querySelector(".author");
      if (author) author.focus();
    }
  } catch (error) {
    window.location.href = link.href;
  }
});

// --- Compose: a live count that stops Post past the limit; images kept, capped and removable.

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
}

function setUpCompose(form) {
  const text = form.querySelector("textarea");
  const count = form.querySelector("#compose-count");
  const input = form.querySelector("input[type=file]");
  const previews = form.querySelector("[data-previews]");
  const refused = form.querySelector("[data-images-refused]");
  const post = form.querySelector("button[type=submit]");
  const open = () => form.classList.add("open");
  form.addEventListener("focusin", open);
  if (text && text.value) open();
  if (text && count) {
    const max = Number(text.dataset.maxLength);
    const update = () => {
      // Code points, as the server counts characters.
      const used = Array.from(text.value).length;
      count.textContent = count.dataset.template.replace("%(count)s", String(used));
      count.classList.toggle("over", used > max);
      post.disabled = used > max;
    };
    text.addEventListener("input", update);
    update();
  }
  if (!input || !previews || typeof DataTransfer === "undefined") return;
  const max = Number(previews.dataset.max);
  // A description field beside each chosen image replaces the page's fields for every possible one.
  const staticAlts = form.querySelector("[data-alts-static]");
  if (staticAlts) staticAlts.remove();
  let chosen = [];
  let alts = [];
  const render = () => {
    const files = new DataTransfer();
    chosen.forEach((file) => files.items.add(file));
    input.files = files.files;
    for (const img of previews.querySelectorAll("img")) URL.revokeObjectURL(img.src);
    previews.replaceChildren();
    chosen.forEach((file, index) => {
      const item = document.createElement("li");
      if (file.type.startsWith("image/")) {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        item.append(img);
      }
      const field = document.createElement("div");
      field.className = "alt-field";
      const label = document.createElement("label");
      const alt = document.createElement("input");
      alt.type = "text";
      alt.name = "alts";
      alt.id = `compose-alt-${index + 1}`;
      alt.maxLength = Number(previews.dataset.altMax);
      alt.value = alts[index] || "";
      alt.addEventListener("input", () => { alts[index] = alt.value; });
      label.htmlFor = alt.id;
      label.textContent = format(previews.dataset.altLabel, { name: file.name });
      field.append(label, alt);
      item.append(field);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "quiet remove";
      remove.textContent = format(previews.dataset.remove, { name: file.name });
      remove.addEventListener("click", () => {
        chosen.splice(index, 1);
        alts.splice(index, 1);
        render();
        input.focus();
      });
      item.append(remove);
      previews.append(item);
    });
  };
  input.addEventListener("change", () => {
    // Choosing again adds to the images already chosen, up to the limit; the rest are named.
    const added = Array.from(input.files);
    const all = chosen.concat(added);
    chosen = all.slice(0, max);
    alts = alts.slice(0, chosen.length);
    const left = all.slice(max).map((file) => file.name);
    refused.hidden = !left.length;
    refused.textContent = left.length ? format(previews.dataset.tooMany, { names: left.join(", ") }) : "";
    render();
  });
}

// --- Image viewer: a modal dialog (focus stays inside, Tab goes round; Escape closes); arrow keys
// between a post's images.

let viewer = null;

function openViewer(link) {
  const links = Array.from(link.closest(".images").querySelectorAll("a[data-viewer]"));
  if (!viewer) {
    viewer = document.createElement("dialog");
    viewer.className = "viewer";
    viewer.innerHTML =
      '<figure><img alt=""><figcaption></figcaption></figure>' +
      '<div class="viewer-bar"><button type="button" data-prev>‹</button><span data-position></span>' +
      '<button type="button" data-next>›</button><button type="button" data-close>×</button></div>';
    const labels = document.body.dataset;
    viewer.querySelector("[data-prev]").setAttribute("aria-label", labels.viewerPrevious || "Previous image");
    viewer.querySelector("[data-next]").setAttribute("aria-label", labels.viewerNext || "Next image");
    viewer.querySelector("[data-close]").setAttribute("aria-label", labels.viewerClose || "Close");
    viewer.setAttribute("aria-label", labels.viewerTitle || "Image");
    document.body.append(viewer);
    viewer.querySelector("[data-close]").addEventListener("click", () => viewer.close());
    viewer.querySelector("[data-prev]").addEventListener("click", () => viewer.step(-1));
    viewer.querySelector("[data-next]").addEventListener("click", () => viewer.step(1));
    viewer.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") { viewer.step(1); event.preventDefault(); }
      if (event.key === "ArrowLeft") { viewer.step(-1); event.preventDefault(); }
      // A modal dialog makes the page behind inert, but Tab past its last control still leaves
      // for the browser's own toolbar: it goes round the dialog's controls instead.
      if (event.key === "Tab") {
        const controls = Array.from(viewer.querySelectorAll("button:not([hidden])"));
        const edge = event.shiftKey ? controls[0] : controls[controls.length - 1];
        if (document.activeElement === edge) {
          (event.shiftKey ? controls[controls.length - 1] : controls[0]).focus();
          event.preventDefault();
        }
      }
    });
    viewer.addEventListener("close", () => { if (viewer.opener) viewer.opener.focus(); });
  }
  let index = links.indexOf(link);
  const show = () => {
    const current = links[index];
    const img = viewer.querySelector("img");
    img.src = current.href;
    img.alt = current.querySelector("img").alt;
    viewer.querySelector("[data-position]").textContent = format(
      document.body.dataset.viewerPosition || "%(n)s of %(total)s", { n: index + 1, total: links.length });
    viewer.querySelector("[data-prev]").hidden = links.length < 2;
    viewer.querySelector("[data-next]").hidden = links.length < 2;
  };
  viewer.step = (by) => { index = (index + by + links.length) % links.length; show(); };
  viewer.opener = link;
  show();
  viewer.showModal();
  viewer.querySelector("[data-close]").focus();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-viewer]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  openViewer(link);
});

// --- Keyboard shortcuts: j/k between posts, l like, r reply, n new post, ? the list. Never while typing.

function typing(target) {
  return target.closest && target.closest("input, textarea, select, [contenteditable=true], dialog[open]");
}

// The list is read out through a live region as it opens ("Keyboard shortcuts: j k: Next or
// previous post; ..."), and its closing is said too; focus returns to where it was.
let shortcutsReturnTo = null;

function shortcutsOpen() {
  const help = document.getElementById("shortcuts");
  return Boolean(help && !help.hidden);
}

function toggleShortcuts() {
  const help = document.getElementById("shortcuts");
  const status = document.getElementById("shortcuts-status");
  if (!help) return;
  help.hidden = !help.hidden;
  if (!help.hidden) {
    shortcutsReturnTo = document.activeElement;
    help.focus();
    const keys = Array.from(help.querySelectorAll("dt")).map(
      (dt) => `${dt.textContent.trim()}: ${dt.nextElementSibling.textContent.trim()}`);
    status.textContent = `${help.querySelector("h2").textContent.trim()}: ${keys.join("; ")}.`;
  } else {
    status.textContent = status.dataset.closed;
    if (shortcutsReturnTo && shortcutsReturnTo !== document.body) shortcutsReturnTo.focus();
    shortcutsReturnTo = null;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  const posts = Array.from(document.querySelectorAll("article[data-post]"));
  const current = document.activeElement && document.activeElement.closest("article[data-post]");
  const at = posts.indexOf(current);
  if (event.key === "j" || event.key === "k") {
    if (!posts.length) return;
    const next = posts[Math.min(Math.max(event.key === "j" ? at + 1 : at - 1, 0), posts.length - 1)];
    next.setAttribute("tabindex", "-1");
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  } else if (event.key === "l" && current) {
    const like = current.querySelector("[data-shortcut-like]");
    if (like) like.click();
  } else if (event.key === "r" && current) {
    // The post's Reply button: its form opens in place, focus in its text box.
    const reply = current.querySelector("[data-reply-toggle] button");
    if (reply) reply.click();
  } else if (event.key === "n") {
    const compose = document.querySelector("[data-compose] textarea");
    if (compose) compose.focus();
    else window.location.href = document.querySelector("[data-shortcut-new]").href;
  } else if (event.key === "?") {
    toggleShortcuts();
  } else if (event.key === "Escape" && shortcutsOpen()) {
    toggleShortcuts();
  } else {
    return;
  }
  event.preventDefault();
});

showTimes(document);
document.querySelectorAll("[data-compose]").forEach(setUpCompose);

// The service worker (/sw.js): pages from the network always, an offline page without one. Its
// URL names the page's language, so that the offline page it keeps is in that language.
if ("serviceWorker" in navigator && document.body.dataset.serviceWorker) {
  navigator.serviceWorker.register(`${document.body.dataset.serviceWorker}?lang=${encodeURIComponent(lang)}`);
}

// Reply: a reply form opens in place under the post (without JS the button opens the thread
// page). The page has one form to copy (#reply-form-template); the copy is kept while the page is.
function replyForm(toggle, id) {
  const template = document.getElementById("reply-form-template");
  const post = toggle.closest("[data-post]");
  if (!template || !post) return null;
  const form = template.content.firstElementChild.cloneNode(true);
  const tweetId = id.replace("reply-form-", "");
  form.id = id;
  form.hidden = true;
  form.querySelector("[name=in_reply_to]").value = tweetId;
  form.querySelector("[name=next]").value = toggle.getAttribute("action");
  const textarea = form.querySelector("textarea");
  textarea.id = `reply-text-${tweetId}`;
  const label = form.querySelector("label");
  label.htmlFor = textarea.id;
  label.textContent = template.dataset.label.replace("%(name)s", post.querySelector(".author").textContent.trim());
  post.querySelector(".tweet-foot").after(form);
  setUpMentions(textarea);
  toggle.querySelector("button").setAttribute("aria-controls", id);
  return form;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const id = form.dataset && form.dataset.replyToggle;
  const target = id && (document.getElementById(id) || replyForm(form, id));
  if (!target) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const opening = target.hidden;
  target.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
  if (opening) target.querySelector("textarea").focus();
});

// @mentions: "@" and a few letters in a text box suggest colleagues. ArrowDown and ArrowUp move
// through the suggestions, Enter inserts the highlighted one, Escape closes. The text box stays a
// textbox: ARIA in HTML allows no other role on a <textarea> (so no role="combobox" and no
// aria-expanded, which a textbox does not take); aria-autocomplete, aria-controls and
// aria-activedescendant tie it to the listbox, and a polite live region says how many appeared.
let mentionLists = 0;
function setUpMentions(textarea) {
  const url = textarea.dataset.mentions;
  const id = `mention-list-${++mentionLists}`;
  const list = document.createElement("ul");
  list.id = id;
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", textarea.dataset.mentionsLabel || "People");
  list.hidden = true;
  const status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  textarea.after(list, status);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", id);
  let users = [];
  let active = -1;
  let latest = 0;

  const typed = () => {
    const match = /(?:^|[^\w@.+-])@([\w.+-]{1,30})$/u.exec(textarea.value.slice(0, textarea.selectionStart));
    return match ? match[1] : null;
  };
  const close = () => {
    users = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    status.textContent = "";
    textarea.removeAttribute("aria-activedescendant");
  };
  const highlight = (index) => {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    textarea.setAttribute("aria-activedescendant", `${id}-${index}`);
  };
  const choose = (index) => {
    const user = users[index];
    if (!user) return;
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret).replace(/@[\w.+-]*$/u, `@${user.username} `);
    textarea.value = before + textarea.value.slice(caret);
    textarea.setSelectionRange(before.length, before.length);
    close();
    textarea.dispatchEvent(new Event("input"));
  };

  textarea.addEventListener("input", async () => {
    const query = typed();
    // A request still under way is forgotten too: its answer must not reopen a closed list.
    const request = ++latest;
    if (!query) { close(); return; }
    let found = [];
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(query)}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (response.ok) found = (await response.json()).users || [];
    } catch (error) {
      found = [];
    }
    if (request !== latest) return;
    if (!found.length) { close(); return; }
    users = found;
    list.replaceChildren(...users.map((user, i) => {
      const option = document.createElement("li");
      option.id = `${id}-${i}`;
      option.setAttribute("role", "option");
      option.textContent = `${user.name} (@${user.username})`;
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
      return option;
    }));
    list.hidden = false;
    status.textContent = (textarea.dataset.mentionsFound || "%s suggestions").replace("%s", users.length);
    highlight(0);
  });
  textarea.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") highlight((active + 1) % users.length);
    else if (event.key === "ArrowUp") highlight((active - 1 + users.length) % users.length);
    else if (event.key === "Enter") choose(active);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  });
  textarea.addEventListener("blur", close);
}

document.querySelectorAll("textarea[data-mentions]").forEach(setUpMentions);

// --- Notifications: the navigation link's unread count, asked for on load and every few seconds
// while the page is in view. Its accessible name carries the count ("Notifications, 3 unread").
function setUpNotifications(link) {
  const badge = link.querySelector("[data-badge]");
  const seconds = Math.max(Number(link.dataset.pollSeconds) || 30, 1);
  const show = (unread) => {
    badge.textContent = unread > 99 ? "99+" : String(unread);
    badge.hidden = unread === 0;
    if (unread) link.setAttribute("aria-label", link.dataset.labelUnread.replace("%(count)s", unread));
    else link.removeAttribute("aria-label");
  };
  let timer = null;
  const poll = async () => {
    clearTimeout(timer);
    if (document.visibilityState !== "hidden") {
      try {
        const response = await fetch(link.dataset.notifications, {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
        if (response.ok) show((await response.json()).unread);
      } catch (error) {
        // Offline for a moment: the next poll tries again.
      }
    }
    timer = setTimeout(poll, seconds * 1000);
  };
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") poll(); });
  poll();
}

document.querySelectorAll("a[data-notifications]").forEach(setUpNotifications);
