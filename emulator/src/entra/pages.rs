//! The demo authority's HTML pages: the account picker, the sign-in error page and the
//! signed-out page, every value escaped, never cached, under a CSP that allows no script.

use crate::users::User;
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const PAGE_STYLE: &str = "body{font-family:'Segoe UI',system-ui,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}\
main{max-width:440px;margin:8vh auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}\
h1{font-size:1.5rem;font-weight:600;margin:0 0 .5rem}p{margin:.4rem 0}.note{color:#605e5c;font-size:.85rem}\
button{display:block;width:100%;text-align:left;background:#fff;border:1px solid #c8c6c4;padding:12px 14px;margin:10px 0;cursor:pointer;font:inherit}\
button:hover,button:focus{background:#f3f2f1;border-color:#0067b8}\
.name{font-weight:600;display:block}.upn{display:block;color:#323130}.desc{display:block;color:#605e5c;font-size:.85rem}\
.error{color:#a80000}code{word-break:break-all}";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{PAGE_STYLE}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    );
    let mut res = (status, page).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    res
}

/// The 400 page for a bad authorize or logout request.
pub(super) fn error_page(code: u32, message: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        "Sign in - error",
        &format!(
            "<h1>Sorry, but we're having trouble signing you in.</h1>\
<p class=\"error\">AADSTS{code}: {}</p>\
<p class=\"note\">Demo authority of the ACR emulator. The request was not redirected.</p>",
            escape(message)
        ),
    )
}

/// The account picker: a form posting back to `/{tenant}/oauth2/v2.0/authorize` (`tenant`
/// already a path segment) with the request's `hidden` parameters and one button per user.
pub(super) fn sign_in_page<'a>(
    tenant: &str,
    client_id: &str,
    redirect_uri: &str,
    hidden: &[(&str, &str)],
    users: impl Iterator<Item = &'a User>,
) -> Response {
    let mut body = String::from(
        "<h1>Pick an account</h1><p class=\"note\">Demo authority of the ACR emulator: no password, \
choose who you are.</p>",
    );
    body.push_str(&format!(
        "<p class=\"note\">Application <code>{}</code> will receive a token and continue at \
<code>{}</code>.</p>",
        escape(client_id),
        escape(redirect_uri)
    ));
    body.push_str(&format!(
        "<form method=\"post\" action=\"/{}/oauth2/v2.0/authorize\">",
        escape(tenant)
    ));
    for (name, value) in hidden {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        ));
    }
    let mut any = false;
    for u in users {
        any = true;
        body.push_str(&format!(
            "<button type=\"submit\" name=\"user\" value=\"{}\"><span class=\"name\">{}</span>\
<span class=\"upn\">{}</span><span class=\"desc\">{}</span></button>",
            escape(&u.id),
            escape(&u.display_name),
            escape(&u.upn),
            escape(&u.description)
        ));
    }
    if !any {
        body.push_str("<p class=\"error\">This emulator has no Entra users.</p>");
    }
    body.push_str("</form>");
    html(StatusCode::OK, "Sign in to your account", &body)
}

/// The page after sign-out when there is no valid place to return to; `revoked` says whether a
/// named account's sessions were forgotten.
pub(super) fn signed_out_page(revoked: bool) -> Response {
    let note = if revoked {
        "The demo authority forgot this account's sessions (refresh tokens)."
    } else {
        "No account was named, so no session was revoked."
    };
    html(
        StatusCode::OK,
        "Signed out",
        &format!(
            "<h1>You are signed out</h1><p>You signed out of your account.</p>\
<p class=\"note\">{note} It's a good idea to close all browser windows.</p>"
        ),
    )
}
