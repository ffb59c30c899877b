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
