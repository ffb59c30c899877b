// Progressive enhancement of the server-rendered pages: every form and link works without it.
"use strict";

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

// Like / Unlike: the server answers with the tweet re-rendered (count and likers included).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const kind = form.dataset && form.dataset.inplace;
  if (!kind) return;
  event.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const data = await postForm(form);
    if (kind === "tweet") {
      const article = form.closest("article");
      const replacement = fragment(data.html).querySelector("article");
      article.replaceWith(replacement);
      replacement.querySelector("[data-inplace] button").focus();
      announce(data.message, false);
    } else if (kind === "follow") {
      const following = data.following;
      button.textContent = following ? button.dataset.unfollowLabel : button.dataset.followLabel;
      button.className = following ? "on" : "primary";
      form.action = following ? form.dataset.unfollowUrl : form.dataset.followUrl;
      const count = form.closest(".person, .profile") && form.closest(".person, .profile").querySelector("[data-followers-count]");
      if (count) count.textContent = data.followers_label;
      announce(data.message, false);
      button.disabled = false;
    }
  } catch (error) {
    announce(error.message, true);
    button.disabled = false;
  }
});

// Load more: the next cursor page's articles, appended in place of the link.
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

// Compose: a live character count and previews of the chosen images.
function setUpCompose(form) {
  const text = form.querySelector("textarea");
  const count = form.querySelector("#compose-count");
  const files = form.querySelector("input[type=file]");
  const previews = form.querySelector("[data-previews]");
  if (text && count) {
    const max = Number(text.dataset.maxLength);
    const update = () => {
      // Code points, as the server counts characters.
      const used = Array.from(text.value).length;
      count.textContent = count.dataset.template.replace("%(count)s", String(used));
      count.classList.toggle("over", used > max);
    };
    text.addEventListener("input", update);
    update();
  }
  if (files && previews) {
    files.addEventListener("change", () => {
      for (const img of previews.querySelectorAll("img")) URL.revokeObjectURL(img.src);
      previews.replaceChildren();
      for (const file of files.files) {
        const item = document.createElement("li");
        if (file.type.startsWith("image/")) {
          const img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.alt = file.name;
          item.append(img);
        }
        const name = document.createElement("span");
        name.textContent = file.name;
        item.append(name);
        previews.append(item);
      }
    });
  }
}

document.querySelectorAll("[data-compose]").forEach(setUpCompose);

// Reply: the post's own reply form opens in place (without JS the button opens the thread page).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const id = form.dataset && form.dataset.replyToggle;
  const target = id && document.getElementById(id);
  if (!target) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const opening = target.hidden;
  target.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
  if (opening) target.querySelector("textarea").focus();
});

// @mentions: "@" and a few letters in a text box suggest colleagues. An ARIA combobox: ArrowDown
// and ArrowUp move through the suggestions, Enter inserts the highlighted one, Escape closes.
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
  textarea.after(list);
  textarea.setAttribute("role", "combobox");
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-expanded", "false");
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
    textarea.setAttribute("aria-expanded", "false");
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
    if (!query) { close(); return; }
    const request = ++latest;
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
    textarea.setAttribute("aria-expanded", "true");
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
