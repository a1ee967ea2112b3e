// What an integrator writes against the generated types: list, read, create and patch.
// `tsc --noEmit` fails if the spec and this usage disagree.
import createClient from "openapi-fetch";
import type { paths, components } from "./relais";

type Event = components["schemas"]["Event"];
// With `fields=`, an item holds only the fields asked for and its `id`: a page's items are each
// an `Event` or an `EventFields`, whose properties are all optional but `id`.
type ListedEvent = Event | components["schemas"]["EventFields"];

// JSON and its problems only: lists and items may also be sent as JSON-LD and CSV, which this
// client does not ask for.
const relais = createClient<paths, "application/json" | "application/problem+json">({
  baseUrl: "http://127.0.0.1:8080",
  headers: { Authorization: "Bearer <token>" },
});

export async function upcoming(centre: string): Promise<ListedEvent[]> {
  const { data, error } = await relais.GET("/api/v1/events", {
    params: { query: { centre, from: "2026-12-03", sort: "starts_at", per_page: 20 } },
  });
  if (error) throw new Error(error.title);
  const total: number = data.meta.total;
  console.log(`${total} événements`);
  return data.data;
}

export async function titles(): Promise<string[]> {
  const { data, error } = await relais.GET("/api/v1/events", {
    params: { query: { fields: "title,starts_at", sort: "starts_at" } },
  });
  if (error) throw new Error(error.title);
  return data.data.map((event) => `${event.id} : ${event.title ?? "sans titre"}`);
}

export async function read(slug: string): Promise<string> {
  const { data, error } = await relais.GET("/api/v1/events/{key}", {
    params: { path: { key: slug } },
  });
  if (error) throw new Error(error.detail ?? error.title);
  return `${data.title} : ${data.starts_at} (${data.remaining_places ?? "illimité"})`;
}

export async function propose(centre: string): Promise<string> {
  const { data, error, response } = await relais.POST("/api/v1/events", {
    body: {
      title: "Jeudi du réseau : les haies bocagères",
      kind: "rencontre",
      centre_id: centre,
      starts_at: "2027-04-08T14:00:00+02:00",
      ends_at: "2027-04-08T16:00:00+02:00",
      format: "online",
    },
  });
  if (error) throw new Error(error.title);
  return response.headers.get("Location") ?? data.id;
}

export async function rename(id: string, etag: string): Promise<Event> {
  const { data, error } = await relais.PATCH("/api/v1/events/{key}", {
    params: { path: { key: id }, header: { "If-Match": etag } },
    body: { title: "Jeudi du réseau : haies et bocages" },
  });
  if (error) throw new Error(error.title);
  return data;
}
