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
