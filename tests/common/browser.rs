//! Headless Chromium driven through ChromeDriver's WebDriver protocol (JSON over HTTP): enough
//! to load a page, type, click, run a script and take a screenshot. Tests that need it skip
//! with a printed reason where Chromium or ChromeDriver is missing.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::serving::request;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Why a browser test cannot run here, if it cannot.
pub fn missing() -> Option<String> {
    [CHROMIUM, CHROMEDRIVER]
        .iter()
        .find(|p| !Path::new(p).exists())
        .map(|p| format!("{p} is not installed (Debian: apt-get install chromium chromium-driver)"))
}

/// A browser session; the driver and the browser end with it.
pub struct Browser {
    driver: Child,
    address: SocketAddr,
    session: String,
    /// Where a failing test's screenshot goes.
    screenshots: PathBuf,
    name: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium; `name` names the failure screenshot.
    pub fn start(name: &str) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(address).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        // The flags keep Chromium off the network (a closed machine refuses its background
        // connections) and out of the sandbox, which needs privileges CI does not give.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        }}});
        let answer = call(address, "POST", "/session", Some(capabilities));
        let session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_string();
        let screenshots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        Browser {
            driver,
            address,
            session,
            screenshots,
            name: name.to_string(),
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(
            self.address,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    pub fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The element `selector` picks (the test fails, with a screenshot, when there is none).
    pub fn find(&self, selector: &str) -> String {
        let answer = self.call(
            "POST",
            "/element",
            Some(json!({ "using": "css selector", "value": selector })),
        );
        match answer[ELEMENT].as_str() {
            Some(id) => id.to_string(),
            None => self.fail(&format!("no element {selector}: {answer}")),
        }
    }

    /// Types `text` into the element, key by key, as a user would.
    pub fn type_into(&self, selector: &str, text: &str) {
        let id = self.find(selector);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn clear(&self, selector: &str) {
        let id = self.find(selector);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
    }

    pub fn click(&self, selector: &str) {
        let id = self.find(selector);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Runs `script` (a function body; `return` gives the value) in the page.
    pub fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Waits until `script` returns something truthy, and returns it; fails with a screenshot
    /// after 20 seconds.
    pub fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.eval(script);
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::Array(a) => !a.is_empty(),
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited 20 s for {what}; the script gave {value}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The page as a PNG.
    pub fn screenshot(&self) -> Vec<u8> {
        let answer = self.call("GET", "/screenshot", None);
        base64_decode(answer.as_str().unwrap_or_default())
    }

    /// Fails the test, leaving a screenshot of the page behind.
    pub fn fail(&self, message: &str) -> ! {
        std::fs::create_dir_all(&self.screenshots).unwrap();
        let path = self.screenshots.join(format!("{}.png", self.name));
        std::fs::write(&path, self.screenshot()).unwrap();
        panic!("{message} (screenshot: {})", path.display());
    }

    /// `ok`, or the test fails with `message` and a screenshot.
    pub fn check(&self, ok: bool, message: &str) {
        if !ok {
            self.fail(message);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            self.address,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A WebDriver command's `value`; a WebDriver error fails the test.
fn call(address: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string());
    let reply = request(address, method, path, body.as_deref());
    let mut answer = reply.json();
    let value = answer["value"].take();
    if reply.status >= 400 {
        panic!("WebDriver {method} {path}: {} {value}", reply.status);
    }
    value
}

/// Standard base64 (the screenshot's encoding).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | (d as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
