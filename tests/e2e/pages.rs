//! Page objects: what a person sees in the console, found the way assistive technology finds it
//! (landmark roles, headings, link names, `data-testid` as a last resort). Scenarios talk to
//! these instead of writing selectors, so a markup change is fixed here once.

use fantoccini::{
    actions::{InputSource, KeyAction, KeyActions},
    elements::Element,
    error::CmdError,
    key::Key,
    Client, Locator,
};
use std::time::{Duration, Instant};

/// How long to wait for the app to render something.
const RENDER_TIMEOUT: Duration = Duration::from_secs(15);

/// CSS for the elements with an ARIA landmark `role`, implicit or explicit. `header` and
/// `footer` are banner/contentinfo only outside sectioning content and `main`.
pub fn landmark(role: &str) -> String {
    let implicit = match role {
        "banner" => {
            "header:not(main header, article header, aside header, nav header, section header)"
        }
        "contentinfo" => {
            "footer:not(main footer, article footer, aside footer, nav footer, section footer)"
        }
        "main" => "main",
        "navigation" => "nav",
        other => panic!("no selector for landmark role {other}"),
    };
    format!("{implicit}, [role=\"{role}\"]")
}

/// An XPath string literal for `text`, whatever quotes it holds.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// XPath for a link whose accessible name (its text) is `name`.
fn link_named(name: &str) -> String {
    format!("//a[normalize-space(.)={}]", xpath_literal(name))
}

/// The console's frame around any page: banner, navigation, main landmark, skip link.
pub struct Shell {
    client: Client,
}

impl Shell {
    /// Loads `url` and waits until the app has rendered its banner.
    pub async fn open(client: &Client, url: &str) -> Result<Shell, CmdError> {
        client.goto(url).await?;
        let shell = Shell { client: client.clone() };
        shell.wait_for_css(&landmark("banner")).await?;
        Ok(shell)
    }

    async fn wait_for_css(&self, css: &str) -> Result<Element, CmdError> {
        self.client.wait().at_most(RENDER_TIMEOUT).for_element(Locator::Css(css)).await
    }

    /// The banner landmark.
    pub async fn banner(&self) -> Result<Element, CmdError> {
        self.client.find(Locator::Css(&landmark("banner"))).await
    }

    /// The main landmark.
    pub async fn main(&self) -> Result<Element, CmdError> {
        self.client.find(Locator::Css(&landmark("main"))).await
    }

    /// The primary navigation.
    pub async fn navigation(&self) -> Result<Element, CmdError> {
        self.client.find(Locator::Css("nav[aria-label=\"Primary\"]")).await
    }

    /// The link marked as the current page in the primary navigation, if any.
    pub async fn current_nav_link(&self) -> Result<Option<String>, CmdError> {
        let nav = self.navigation().await?;
        match nav.find(Locator::Css("a[aria-current=\"page\"]")).await {
            Ok(link) => Ok(Some(link.text().await?)),
            Err(e) if e.is_no_such_element() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits until the page's `<h1>` (inside the main landmark) reads `text`.
    pub async fn wait_for_heading(&self, text: &str) -> Result<Element, CmdError> {
        let xpath = format!("//main//h1[normalize-space(.)={}]", xpath_literal(text));
        self.client.wait().at_most(RENDER_TIMEOUT).for_element(Locator::XPath(&xpath)).await
    }

    /// The link named `name` (its visible text).
    pub async fn link(&self, name: &str) -> Result<Element, CmdError> {
        self.client.find(Locator::XPath(&link_named(name))).await
    }

    /// The element with `data-testid="<id>"`.
    pub async fn by_test_id(&self, id: &str) -> Result<Element, CmdError> {
        self.client.find(Locator::Css(&format!("[data-testid=\"{id}\"]"))).await
    }

    /// Presses and releases `key` on the keyboard, wherever focus is.
    pub async fn press(&self, key: Key) -> Result<(), CmdError> {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keys).await
    }

    /// Waits until `element` lies fully inside the viewport (it may be sliding in); `false` if
    /// it does not within the render timeout.
    pub async fn wait_until_on_screen(&self, element: &Element) -> Result<bool, CmdError> {
        let deadline = Instant::now() + RENDER_TIMEOUT;
        while Instant::now() < deadline {
            let (x, y, width, height) = element.rectangle().await?;
            if x >= 0.0 && y >= 0.0 && width > 0.0 && height > 0.0 {
                return Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(false)
    }

    /// The element that has keyboard focus.
    pub async fn focused(&self) -> Result<Element, CmdError> {
        self.client.active_element().await
    }
}

// ================================================================================================
// Sign-in (auth): the console's sign-in page, the demo authority's account picker, the account
// in the banner, and what the tab keeps in its storage.
// ================================================================================================

/// How long a sign-in round trip (console → authority → console → token redemption) may take.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(20);

/// XPath for a button whose visible text is `name`.
fn button_named(name: &str) -> String {
    format!("//button[normalize-space(.)={}]", xpath_literal(name))
}

/// Polls `check` every 50 ms until it returns `Some`, or fails with `WaitTimeout` after
/// `timeout`.
pub async fn wait_until<T, F, Fut>(timeout: Duration, mut check: F) -> Result<T, CmdError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, CmdError>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if Instant::now() >= deadline {
            return Err(CmdError::WaitTimeout);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `url` as the browser writes it (so it can be compared with `current_url`).
fn normalised(url: &str) -> String {
    url::Url::parse(url).map(String::from).unwrap_or_else(|_| url.to_owned())
}

/// The console's sign-in URL that returns to `url` (`/signin?return=<path and query>`).
fn sign_in_url_for(url: &str) -> Result<String, CmdError> {
    let parsed =
        url::Url::parse(url).map_err(|e| CmdError::InvalidArgument("url".into(), e.to_string()))?;
    let back = match parsed.query() {
        Some(q) => format!("{}?{q}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let mut signin = parsed
        .join("/signin")
        .map_err(|e| CmdError::InvalidArgument("url".into(), e.to_string()))?;
    signin.query_pairs_mut().append_pair("return", &back);
    Ok(signin.into())
}

/// The text of the element `css` finds, or `None` when there is none. Found and read in one
/// script run, so an element the app re-renders between two WebDriver commands cannot go stale
/// under the read (a find followed by a separate read could).
pub async fn text_of(client: &Client, css: &str) -> Result<Option<String>, CmdError> {
    let value = client
        .execute(
            "const el = document.querySelector(arguments[0]); \
             return el ? el.innerText.trim() : null;",
            vec![serde_json::Value::from(css)],
        )
        .await?;
    Ok(value.as_str().map(str::to_owned))
}

/// The name shown for the signed-in account in the banner, if anyone is signed in. The banner
/// re-renders when the session changes (renewal, sign-out), so the read retries a stale element.
pub async fn signed_in_account(client: &Client) -> Result<Option<String>, CmdError> {
    text_of(client, "[data-testid=\"account-name\"]").await
}

/// Waits until the console shows `url` (exactly) with an account in the banner.
pub async fn wait_until_signed_in_at(client: &Client, url: &str) -> Result<String, CmdError> {
    let want = normalised(url);
    wait_until(SIGN_IN_TIMEOUT, || async {
        let here = client.current_url().await?;
        if here.as_str() != want {
            return Ok(None);
        }
        signed_in_account(client).await
    })
    .await
}

/// Opens `url` (any console URL) in a signed-out tab, goes through the console's sign-in page
/// ("Sign in with Microsoft") and the demo authority's account picker (the button of `user`:
/// `admin`, `viewer` or `payments`), and waits until the console is back at exactly `url` with
/// the account in the banner. A protected page sends the browser to the sign-in page itself;
/// for a public page the sign-in page is opened with `return` set to `url`.
pub async fn sign_in_as(client: &Client, url: &str, user: &str) -> Result<(), CmdError> {
    client.goto(url).await?;
    client.wait().at_most(RENDER_TIMEOUT).for_element(Locator::Css(&landmark("banner"))).await?;
    // A protected page redirects right after it mounts; give it a moment to do so.
    let redirected = wait_until(Duration::from_millis(1500), || async {
        Ok((client.current_url().await?.path() == "/signin").then_some(()))
    })
    .await;
    if redirected.is_err() {
        client.goto(&sign_in_url_for(url)?).await?;
    }
    let start = client
        .wait()
        .at_most(RENDER_TIMEOUT)
        .for_element(Locator::XPath(&button_named("Sign in with Microsoft")))
        .await?;
    start.click().await?;
    let pick = format!("button[name=\"user\"][value=\"{user}\"]");
    client.wait().at_most(SIGN_IN_TIMEOUT).for_element(Locator::Css(&pick)).await?.click().await?;
    wait_until_signed_in_at(client, url).await?;
    Ok(())
}

/// Opens the console's sign-in page for `url` and signs in to the token registry (the form's
/// registry picker is set to `registry` when there is one) with `username` and `password`,
/// then waits until the console is back at `url` with the account in the banner.
pub async fn sign_in_with_token(
    client: &Client,
    url: &str,
    registry: Option<&str>,
    username: &str,
    password: &str,
) -> Result<(), CmdError> {
    client.goto(&sign_in_url_for(url)?).await?;
    let user =
        client.wait().at_most(RENDER_TIMEOUT).for_element(Locator::Css("#token-username")).await?;
    // The registry picker is there only when several registries sign in with a token.
    if let Some(r) = registry {
        match client.find(Locator::Css("#token-registry")).await {
            Ok(picker) => picker.select_by_value(r).await?,
            Err(e) if e.is_no_such_element() => {}
            Err(e) => return Err(e),
        }
    }
    user.send_keys(username).await?;
    client.find(Locator::Css("#token-password")).await?.send_keys(password).await?;
    client.find(Locator::XPath(&button_named("Sign in with token"))).await?.click().await?;
    wait_until_signed_in_at(client, url).await?;
    Ok(())
}

/// `sessionStorage` and `localStorage` of the console's origin, as `(key, value)` pairs.
pub async fn tab_storage(
    client: &Client,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), CmdError> {
    let script = "const dump = s => Object.keys(s).map(k => [k, s.getItem(k)]); \
                  return [dump(window.sessionStorage), dump(window.localStorage)];";
    let value = client.execute(script, vec![]).await?;
    let pairs = |v: &serde_json::Value| -> Vec<(String, String)> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|kv| {
                        Some((kv.get(0)?.as_str()?.to_owned(), kv.get(1)?.as_str()?.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok((pairs(&value[0]), pairs(&value[1])))
}
