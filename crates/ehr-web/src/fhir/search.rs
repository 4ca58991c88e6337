//! Search result Bundles: `searchset` with `total`, paging links and full URLs.

use serde_json::{json, Value};

use super::params::{search_url, Page};

/// One page of a search: what was asked, and what was found.
pub struct SearchPage<'a> {
    /// The FHIR base URL (`http://host/fhir`).
    pub base: &'a str,
    /// The resource type searched.
    pub resource: &'a str,
    /// The search parameters other than paging, in the order they are written back in
    /// links (`patient=…`).
    pub params: Vec<(&'a str, String)>,
    /// The page.
    pub page: Page,
    /// How many resources match in all.
    pub total: u64,
}

impl SearchPage<'_> {
    fn link(&self, relation: &str, offset: u64) -> Value {
        let mut params = self.params.clone();
        params.push(("_count", self.page.count.to_string()));
        params.push(("_offset", offset.to_string()));
        json!({ "relation": relation, "url": search_url(self.base, self.resource, &params) })
    }

    /// The Bundle `link`s: `self`, `first`, `previous` (when not on the first page),
    /// `next` (when more follow) and `last`.
    pub fn links(&self) -> Vec<Value> {
        let Page { offset, count } = self.page;
        let mut links = vec![self.link("self", offset), self.link("first", 0)];
        if count == 0 {
            return links;
        }
        if offset > 0 {
            links.push(self.link("previous", offset.saturating_sub(count)));
        }
        if offset.saturating_add(count) < self.total {
            links.push(self.link("next", offset + count));
        }
        if self.total > 0 {
            links.push(self.link("last", (self.total - 1) / count * count));
        }
        links
    }

    /// Keyset links (a search paged by `_cursor`): `self` as asked, `first`, and `next`
    /// (the page after entry `next`) when more follow. `previous` and `last` are not
    /// given: a keyset page knows only where the next one starts.
    pub fn keyset_links(&self, cursor: Option<u64>, next: Option<u64>) -> Vec<Value> {
        let with = |relation: &str, cursor: Option<u64>, offset: u64| {
            let mut params = self.params.clone();
            if let Some(c) = cursor {
                params.push(("_cursor", c.to_string()));
            }
            params.push(("_count", self.page.count.to_string()));
            params.push(("_offset", offset.to_string()));
            json!({ "relation": relation, "url": search_url(self.base, self.resource, &params) })
        };
        let mut links = vec![
            with("self", cursor, self.page.offset),
            with("first", None, 0),
        ];
        if let Some(next) = next {
            links.push(with("next", Some(next), 0));
        }
        links
    }

    /// The `searchset` Bundle of `resources` (this page's matches, in order), each entry
    /// with its `fullUrl` (`base/Type/id`) and `search.mode` `match`.
    pub fn bundle(&self, resources: Vec<Value>) -> Value {
        self.bundle_with_links(resources, self.links())
    }

    /// As [`SearchPage::bundle`], with the given `link`s.
    pub fn bundle_with_links(&self, resources: Vec<Value>, links: Vec<Value>) -> Value {
        let entries: Vec<Value> = resources
            .into_iter()
            .map(|resource| self.entry(resource))
            .collect();
        let mut bundle = json!({
            "resourceType": "Bundle",
            "meta": { "lastUpdated": ehr_sdk::fhir::now_instant() },
            "type": "searchset",
            "total": self.total,
            "link": links,
        });
        // FHIR allows no empty arrays: a page without matches has no `entry` at all.
        if !entries.is_empty() {
            bundle["entry"] = Value::Array(entries);
        }
        bundle
    }

    /// A match entry for `resource`.
    pub fn entry(&self, resource: Value) -> Value {
        let mut entry = json!({ "resource": resource, "search": { "mode": "match" } });
        if let Some(url) = full_url(self.base, &entry["resource"]) {
            entry["fullUrl"] = Value::from(url);
        }
        entry
    }
}

/// `base/Type/id` of a resource with an id.
pub fn full_url(base: &str, resource: &Value) -> Option<String> {
    let ty = resource["resourceType"].as_str()?;
    let id = resource["id"].as_str()?;
    Some(format!("{base}/{ty}/{id}"))
}
