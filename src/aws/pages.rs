//! The one loop over the pages of a List or Describe call. Every paginated read goes through
//! it, so that they all end the same way: on a missing or empty next token (some services send
//! `""` on the last page), or when the caller has found what it looked for. The audit record of
//! each page is written by the call `fetch` makes, as for any other call.

use std::future::Future;
use std::ops::ControlFlow;

use super::AwsError;

/// Calls `fetch` with the previous page's next token (none for the first page) and hands each
/// page to `page`, until the service has no next page (`Ok(None)`) or `page` breaks with a value
/// (`Ok(Some(value))`). The first error ends the listing.
pub async fn paginate<P, B, Fut>(
    mut fetch: impl FnMut(Option<String>) -> Fut,
    next_token: impl Fn(&P) -> Option<&str>,
    mut page: impl FnMut(P) -> ControlFlow<B>,
) -> Result<Option<B>, AwsError>
where
    Fut: Future<Output = Result<P, AwsError>>,
{
    let mut token: Option<String> = None;
    loop {
        let current = fetch(token.take()).await?;
        let next = next_token(&current)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if let ControlFlow::Break(found) = page(current) {
            return Ok(Some(found));
        }
        match next {
            Some(t) => token = Some(t),
            None => return Ok(None),
        }
    }
}

/// Every item of every page, in the service's order.
pub async fn collect_all<P, T, Fut>(
    fetch: impl FnMut(Option<String>) -> Fut,
    next_token: impl Fn(&P) -> Option<&str>,
    mut items: impl FnMut(P, &mut Vec<T>),
) -> Result<Vec<T>, AwsError>
where
    Fut: Future<Output = Result<P, AwsError>>,
{
    let mut all = Vec::new();
    paginate(fetch, next_token, |p| {
        items(p, &mut all);
        ControlFlow::<()>::Continue(())
    })
    .await?;
    Ok(all)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    /// A page: its items and its next token.
    type Page = (Vec<u32>, Option<&'static str>);

    /// The tokens the fetcher was given, and the pages it hands out in turn.
    fn pages(
        script: Vec<Page>,
    ) -> (
        RefCell<Vec<Option<String>>>,
        RefCell<std::vec::IntoIter<Page>>,
    ) {
        (RefCell::new(Vec::new()), RefCell::new(script.into_iter()))
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn follows_tokens_until_none_or_empty() {
        for last in [None, Some("")] {
            let (asked, script) = pages(vec![
                (vec![1, 2], Some("a")),
                (vec![3], Some("b")),
                (vec![4], last),
                (vec![99], None),
            ]);
            let all = block_on(collect_all(
                |token| {
                    asked.borrow_mut().push(token);
                    let next = script.borrow_mut().next().unwrap();
                    async move { Ok::<_, AwsError>(next) }
                },
                |p: &(Vec<u32>, Option<&str>)| p.1,
                |p, all: &mut Vec<u32>| all.extend(p.0),
            ))
            .unwrap();
            assert_eq!(all, vec![1, 2, 3, 4]);
            assert_eq!(
                *asked.borrow(),
                vec![None, Some("a".to_owned()), Some("b".to_owned())]
            );
        }
    }

    #[test]
    fn stops_at_what_it_looks_for_and_at_the_first_error() {
        let (asked, script) = pages(vec![(vec![1], Some("a")), (vec![7], Some("b"))]);
        let found = block_on(paginate(
            |token| {
                asked.borrow_mut().push(token);
                let next = script.borrow_mut().next().unwrap();
                async move { Ok::<_, AwsError>(next) }
            },
            |p: &(Vec<u32>, Option<&str>)| p.1,
            |p| match p.0.iter().find(|n| **n == 7) {
                Some(n) => ControlFlow::Break(*n),
                None => ControlFlow::Continue(()),
            },
        ))
        .unwrap();
        assert_eq!(found, Some(7));
        assert_eq!(asked.borrow().len(), 2);

        let failed = block_on(paginate(
            |_| async { Err::<(Vec<u32>, Option<&str>), _>(AwsError::local("x:List", "r", "no")) },
            |p: &(Vec<u32>, Option<&str>)| p.1,
            |_| ControlFlow::<()>::Continue(()),
        ));
        assert_eq!(failed.unwrap_err().message, "no");
    }
}
