//! A small HTTP/1.1 server: enough for the SDK's requests (Content-Length or chunked bodies,
//! keep-alive, `Expect: 100-continue`), no more. hyper's server would turn on its `server`
//! feature in test builds, which recompiles the whole AWS stack a second time (see Cargo.toml).

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Larger bodies are refused: no operation here takes more than a few kilobytes.
const MAX_BODY: usize = 8 * 1024 * 1024;
const MAX_HEADERS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// Still percent-encoded.
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// Names lowercased.
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    /// 0: close the connection without an answer (see `hang_up`).
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    fn bare(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// No answer at all: the connection is closed, as when it is cut after the request arrived.
    pub(crate) fn hang_up() -> Self {
        Self::bare(0)
    }

    fn to_bytes(&self, close: bool) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        if close {
            head.push_str("connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// Accepts connections until `stopped` fires (its sender is dropped), answering each request
/// with `handler`.
pub(crate) async fn serve<H, F>(listener: TcpListener, handler: H, mut stopped: watch::Receiver<()>)
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response> + Send,
{
    let handler = Arc::new(handler);
    loop {
        let accepted = tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or similar: wait instead of spinning.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let handler = Arc::clone(&handler);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = connection(stream, handler.as_ref()) => {}
                _ = stopped.changed() => {}
            }
        });
    }
}

async fn connection<H, F>(stream: TcpStream, handler: &H) -> io::Result<()>
where
    H: Fn(Request) -> F,
    F: Future<Output = Response>,
{
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let request = match read_request(&mut reader, &mut write).await {
            Ok(Some(request)) => request,
            Ok(None) => return Ok(()),
            Err(error) => {
                let status = if error.kind() == io::ErrorKind::OutOfMemory {
                    413
                } else {
                    400
                };
                write
                    .write_all(&Response::bare(status).to_bytes(true))
                    .await?;
                return Err(error);
            }
        };
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let response = handler(request).await;
        if response.status == 0 {
            return Ok(());
        }
        write.write_all(&response.to_bytes(close)).await?;
        write.flush().await?;
        if close {
            return Ok(());
        }
    }
}

fn bad(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// The next request on the connection, or `None` when the client closed it between requests.
async fn read_request<R, W>(reader: &mut R, writer: &mut W) -> io::Result<Option<Request>>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };
    let mut request = Request {
        method: method.to_owned(),
        path,
        query,
        headers: Vec::new(),
        body: Vec::new(),
    };
    loop {
        line.clear();
        if reader.read_line(&mut line).await? == 0 {
            return Err(bad("connection closed inside the headers"));
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| bad("malformed header"))?;
        if request.headers.len() >= MAX_HEADERS {
            return Err(bad("too many headers"));
        }
        request
            .headers
            .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    if request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
        writer.flush().await?;
    }
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    request.body = if chunked {
        read_chunked(reader).await?
    } else {
        let length = request
            .header("content-length")
            .map(|v| v.parse::<usize>().map_err(|_| bad("bad content-length")))
            .transpose()?
            .unwrap_or(0);
        read_exactly(reader, length).await?
    };
    Ok(Some(request))
}

async fn read_exactly<R>(reader: &mut R, length: usize) -> io::Result<Vec<u8>>
where
    R: tokio::io::AsyncRead + Unpin,
{
    if length > MAX_BODY {
        return Err(io::Error::new(io::ErrorKind::OutOfMemory, "body too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(body)
}

async fn read_chunked<R>(reader: &mut R) -> io::Result<Vec<u8>>
where
    R: tokio::io::AsyncBufRead + Unpin,
{
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let size = line.trim().split(';').next().unwrap_or_default();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                line.clear();
                if reader.read_line(&mut line).await? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, "body too large"));
        }
        body.extend(read_exactly(reader, size).await?);
        line.clear();
        reader.read_line(&mut line).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(raw: &[u8]) -> (io::Result<Option<Request>>, Vec<u8>) {
        let mut reader = BufReader::new(raw);
        let mut written = Vec::new();
        let request = read_request(&mut reader, &mut written).await;
        (request, written)
    }

    #[tokio::test]
    async fn a_request_with_a_length_is_read_whole() {
        let raw = b"POST /GetRoom?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
        let (request, written) = parse(raw).await;
        let request = request.unwrap().unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/GetRoom");
        assert_eq!(request.query.as_deref(), Some("x=1"));
        assert_eq!(request.header("HOST"), Some("h"));
        assert_eq!(request.body, b"{}");
        assert!(written.is_empty());
    }

    #[tokio::test]
    async fn chunked_bodies_and_expect_continue_are_understood() {
        let raw = b"POST /a HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n1;ext=1\r\n}\r\n0\r\n\r\n";
        let (request, written) = parse(raw).await;
        assert_eq!(request.unwrap().unwrap().body, b"{\"}");
        assert_eq!(written, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[tokio::test]
    async fn a_closed_connection_is_no_request_and_garbage_is_an_error() {
        assert!(parse(b"").await.0.unwrap().is_none());
        assert!(parse(b"NONSENSE\r\n\r\n").await.0.is_err());
        assert!(
            parse(b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n")
                .await
                .0
                .is_err()
        );
    }

    #[test]
    fn responses_carry_their_length() {
        let response = Response {
            status: 404,
            headers: vec![("x-amzn-errortype", "ResourceNotFoundException".to_owned())],
            body: b"{}".to_vec(),
        };
        assert_eq!(
            String::from_utf8(response.to_bytes(false)).unwrap(),
            "HTTP/1.1 404 Not Found\r\nx-amzn-errortype: ResourceNotFoundException\r\ncontent-length: 2\r\n\r\n{}"
        );
    }
}
