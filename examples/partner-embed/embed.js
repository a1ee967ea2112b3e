// Lists a centre's upcoming public events and latest documents from relais: two public,
// cross-origin reads (no token), which shared caches in between may serve.
(function () {
  const params = new URLSearchParams(window.location.search);
  const api = (params.get("api") || "http://127.0.0.1:8080").replace(/\/$/, "");
  const centre = params.get("centre") || "pole-relais-zones-humides";
  const today = new Date().toISOString().slice(0, 10);
  const dates = new Intl.DateTimeFormat("fr-FR", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "Europe/Paris",
  });

  async function read(path) {
    const response = await fetch(api + path, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(path + " : " + response.status);
    }
    return (await response.json()).data;
  }

  function show(list, items, line) {
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      line(li, item);
      return li;
    }));
    if (items.length === 0) {
      const li = document.createElement("li");
      li.textContent = "Rien pour le moment.";
      list.append(li);
    }
    list.setAttribute("aria-busy", "false");
  }

  const centreParam = "centre=" + encodeURIComponent(centre);
  Promise.all([
    read("/api/v1/events?" + centreParam + "&from=" + today + "&sort=starts_at&per_page=5"),
    read("/api/v1/documents?" + centreParam + "&sort=-published_on&per_page=5"),
  ]).then(([events, documents]) => {
    show(document.getElementById("events"), events, (li, event) => {
      const when = document.createElement("time");
      when.dateTime = event.starts_at;
      when.textContent = dates.format(new Date(event.starts_at));
      const title = document.createElement("strong");
      title.textContent = event.title;
      li.append(when, " — ", title);
      if (event.city) {
        li.append(" (" + event.city + ")");
      }
    });
    show(document.getElementById("documents"), documents, (li, doc) => {
      const title = document.createElement("strong");
      title.textContent = doc.title;
      li.append(title);
      if (doc.summary) {
        li.append(" : " + doc.summary);
      }
    });
    document.getElementById("status").textContent = "À jour.";
  }).catch((error) => {
    document.getElementById("status").textContent = "Indisponible : " + error.message;
  });
})();
