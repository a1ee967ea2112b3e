//! Feeds of the lists, for calendar applications and feed readers: iCalendar (RFC 5545) for
//! events and training sessions, Atom (RFC 4287) for documents. A feed is its list as the
//! caller sees it, with the same filters, sort and paging (`Link` to the next page), and each
//! list names its feed in a `Link: rel="alternate"` header.

use actix_web::HttpResponse;
use actix_web::http::header;
use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};
use diesel_async::AsyncPgConnection;
use icalendar::{Calendar, Component, EventLike, EventStatus};
use uuid::Uuid;

use super::{Resource, shown};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::query::{Condition, Counts, ListQuery, PageEnd, Plan};

/// Another representation of a list.
pub struct Feed {
    /// What the list's path takes after it: `/api/v1/events` → `/api/v1/events.ics`.
    pub suffix: &'static str,
    pub media_type: &'static str,
}

pub const CALENDAR: Feed = Feed {
    suffix: ".ics",
    media_type: "text/calendar",
};

pub const ATOM: Feed = Feed {
    suffix: ".atom",
    media_type: "application/atom+xml",
};

/// The `Link` value that names the feed of the list `query` asks for.
pub fn alternate<F>(feed: &Feed, query: &ListQuery<F>) -> String {
    format!(
        "<{}>; rel=\"alternate\"; type=\"{}\"",
        query.alternate(feed.suffix),
        feed.media_type
    )
}

/// The page of `R` that `query` asks for, as `caller` sees it.
pub async fn page<R: Resource>(
    conn: &mut AsyncPgConnection,
    counts: &Counts,
    caller: &Caller,
    query: &ListQuery<R::Filters>,
    scope: Vec<Condition>,
) -> ApiResult<(Vec<R::Item>, PageEnd)> {
    query.plain()?;
    Plan::new(R::COLLECTION, caller.role, query, scope)?
        .run::<R::Item>(conn, counts)
        .await?
        .items(|row| shown::<R>(row, caller))
}

/// A feed's answer, with the `Link` header of its page.
pub fn respond(feed: &Feed, body: String, links: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(format!("{}; charset=utf-8", feed.media_type))
        .insert_header((header::LINK, links))
        .body(body)
}

/// One dated thing in a calendar: an event, or a training's session.
pub struct CalendarEntry {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Where it takes place, or its online address.
    pub place: Option<String>,
    /// Where to read it.
    pub url: String,
    pub cancelled: bool,
}

/// Its venue, address and city, as one line.
pub fn place(parts: &[&Option<String>]) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .filter_map(|part| part.as_deref())
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// An iCalendar (RFC 5545) named `name`, its times in UTC.
pub fn calendar(name: &str, entries: impl IntoIterator<Item = CalendarEntry>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(name);
    for entry in entries {
        let mut event = icalendar::Event::new();
        event
            .uid(&format!("{}@relais", entry.id))
            .summary(&entry.title)
            .description(&entry.summary)
            .starts(entry.starts_at)
            .ends(entry.ends_at)
            .timestamp(entry.updated_at)
            .last_modified(entry.updated_at)
            .url(&entry.url)
            .status(match entry.cancelled {
                true => EventStatus::Cancelled,
                false => EventStatus::Confirmed,
            });
        if let Some(place) = &entry.place {
            event.location(place);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// One document in an Atom feed.
pub struct AtomEntry {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub updated_at: DateTime<Utc>,
    pub published: Option<DateTime<FixedOffset>>,
    /// Where to read it.
    pub url: String,
    /// Its kind and themes.
    pub categories: Vec<String>,
    /// Its file: where, what and how large.
    pub enclosure: Option<(String, String, i64)>,
}

/// An Atom feed (RFC 4287) at `url`, which is also its `id`.
pub fn atom(title: &str, url: &str, entries: Vec<AtomEntry>) -> String {
    let link = |href: &str, rel: &str, media_type: Option<&str>| atom::Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: media_type.map(str::to_string),
        ..atom::Link::default()
    };
    let updated = entries
        .iter()
        .map(|entry| entry.updated_at)
        .max()
        .unwrap_or_else(Utc::now);
    let entries = entries.into_iter().map(|entry| {
        let mut links = vec![link(&entry.url, "alternate", Some("application/json"))];
        if let Some((href, media_type, size)) = &entry.enclosure {
            links.push(atom::Link {
                length: Some(size.to_string()),
                ..link(href, "enclosure", Some(media_type))
            });
        }
        atom::Entry {
            id: format!("urn:uuid:{}", entry.id),
            title: atom::Text::plain(entry.title),
            updated: entry.updated_at.fixed_offset(),
            published: entry.published,
            summary: (!entry.summary.is_empty()).then(|| atom::Text::plain(entry.summary)),
            links,
            categories: entry
                .categories
                .into_iter()
                .map(|term| atom::Category {
                    term,
                    ..atom::Category::default()
                })
                .collect(),
            ..atom::Entry::default()
        }
    });
    atom::Feed {
        id: url.to_string(),
        title: atom::Text::plain(title),
        updated: updated.fixed_offset(),
        authors: vec![atom::Person {
            name: "relais".to_string(),
            ..atom::Person::default()
        }],
        links: vec![link(url, "self", Some(ATOM.media_type))],
        lang: Some("fr".to_string()),
        entries: entries.collect(),
        ..atom::Feed::default()
    }
    .to_string()
}
