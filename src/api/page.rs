//! Opaque page tokens and page sizes for the List RPCs.

use crate::error::ApiError;
use crate::limits::{MAX_PAGE_TOKEN_BYTES, reason};
use crate::store::MAX_PAGE_SIZE;

/// Page size when the request names none.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Version prefix inside tokens, so their format can change.
const TOKEN_PREFIX: &str = "v1:";

/// A validated page request: how many, after which id.
pub struct Page {
    size: usize,
    after: Option<String>,
}

pub fn page_request(size: u32, token: &str) -> Result<Page, ApiError> {
    let size = match size as usize {
        0 => DEFAULT_PAGE_SIZE,
        size if size > MAX_PAGE_SIZE => {
            return Err(ApiError::invalid_field(
                "page_size",
                format!("must be at most {MAX_PAGE_SIZE} (got {size})"),
            )
            .with_reason(reason::PAGE_SIZE_TOO_LARGE)
            .with_metadata("limit", MAX_PAGE_SIZE.to_string()));
        }
        size => size,
    };
    ApiError::check_length("page_token", token, MAX_PAGE_TOKEN_BYTES)?;
    let after = if token.is_empty() {
        None
    } else {
        let decoded = hex::decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.strip_prefix(TOKEN_PREFIX).map(str::to_owned))
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "page_token",
                    "is not a next_page_token from a previous response",
                )
            })?;
        Some(decoded)
    };
    Ok(Page { size, after })
}

impl Page {
    pub fn after(&self) -> Option<&str> {
        self.after.as_deref()
    }

    /// Rows to fetch: one more than the page, to learn whether another follows.
    pub fn fetch(&self) -> usize {
        self.size + 1
    }

    /// Cuts `rows` to the page and makes the next token from the last kept
    /// row's key, if more rows follow.
    pub fn split<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> (Vec<T>, String) {
        if rows.len() <= self.size {
            return (rows, String::new());
        }
        rows.truncate(self.size);
        let token = rows
            .last()
            .map(|last| hex::encode(format!("{TOKEN_PREFIX}{}", key(last))))
            .unwrap_or_default();
        (rows, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_garbage() {
        let page = page_request(2, "").unwrap();
        let (rows, token) = page.split(vec!["a", "b", "c"], |r| (*r).to_owned());
        assert_eq!(rows, ["a", "b"]);
        let next = page_request(2, &token).unwrap();
        assert_eq!(next.after(), Some("b"));
        assert!(page_request(2, "zz").is_err());
        assert!(page_request(2, &hex::encode("v0:x")).is_err());
        assert!(page_request(MAX_PAGE_SIZE as u32 + 1, "").is_err());
        let (rows, token) = page_request(5, "")
            .unwrap()
            .split(vec![1, 2], |r| r.to_string());
        assert_eq!((rows.len(), token.as_str()), (2, ""));
    }
}
