//! One spare text per thread: the text of the last template a sink handed back, into which
//! the next template this thread writes goes. Each template written into a new text faulted in
//! pages of its own, where mimalloc did not hand a freed text's pages to the next: a 5,000-room
//! CloudFormation render took 135 page faults more (issue 17).

use std::cell::Cell;

use crate::policy::limits::CFN_MAX_TEMPLATE_BYTES;

/// The largest text kept: a template's, which is at most [`CFN_MAX_TEMPLATE_BYTES`], in a text
/// grown by doubling to hold it. A larger one (a Terraform module of many rooms) is freed, so
/// that mimalloc hands its pages to the next module: kept, a 50,000-room `render --target all`
/// faulted in 2,600 pages more.
const MOST_KEPT: usize = 2 * CFN_MAX_TEMPLATE_BYTES;

thread_local! {
    static SPARE: Cell<String> = const { Cell::new(String::new()) };
}

/// An empty text that holds `capacity` bytes without growing: the spare where it is large
/// enough, else a new one (a spare grown instead would be copied whole, spare space and all).
pub(crate) fn text(capacity: usize) -> String {
    let mut spare = SPARE.take();
    if spare.capacity() >= capacity {
        spare.clear();
        spare
    } else {
        String::with_capacity(capacity)
    }
}

/// Keeps `text` as this thread's spare, unless the spare held is larger or `text` is larger
/// than [`MOST_KEPT`].
pub(crate) fn keep(text: Option<String>) {
    let Some(text) = text.filter(|text| text.capacity() <= MOST_KEPT) else {
        return;
    };
    let spare = SPARE.take();
    SPARE.set(if text.capacity() > spare.capacity() {
        text
    } else {
        spare
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_text_is_written_into_the_largest_kept() {
        keep(Some(String::with_capacity(100)));
        keep(Some(String::with_capacity(10)));
        keep(None);
        keep(Some(String::with_capacity(MOST_KEPT + 1)));
        let mut first = text(50);
        assert_eq!(
            first.capacity(),
            100,
            "the larger spare is kept, not one too large"
        );
        first.push_str("left over");
        let at = first.as_ptr();
        keep(Some(first));
        let again = text(80);
        assert_eq!(again.as_ptr(), at, "the spare is reused");
        assert!(again.is_empty(), "and emptied");
        keep(Some(again));
        let larger = text(101);
        assert!(larger.capacity() >= 101, "a spare too small is not used");
        assert_ne!(larger.as_ptr(), at);
    }
}
