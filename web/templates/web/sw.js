// Chirp's service worker. It keeps pages correct: every page comes from the network, so a feed
// is never an old copy shown as fresh. Offline, a page that says so (kept when this worker is
// installed, in the language of that moment: the script's URL names the language, so a change
// of language installs it again). Nothing else is stored; static files are cached by the
// browser as their headers say (their names carry a hash of their content).
"use strict";

const CACHE = "chirp-offline-{{ LANGUAGE_CODE }}";
const OFFLINE = "{% url 'web:offline' %}";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.add(new Request(OFFLINE, { cache: "reload" })))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  // Only page loads; the network answers them, the offline page only when there is no network.
  if (event.request.mode !== "navigate" || event.request.method !== "GET") return;
  event.respondWith(
    fetch(event.request).catch(() => caches.open(CACHE).then((cache) => cache.match(OFFLINE))),
  );
});
