//! How sign-in failures are worded: each becomes a [`Problem`] saying what went wrong and what
//! to do, shown on the sign-in page.

use crate::problem::Problem;
use acr_client::ClientError;

/// The first line of an authority's description (Entra appends trace and correlation ids).
fn first_line(text: &str) -> &str {
    text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default()
}

/// The answer's `state` does not match a sign-in started in this tab.
pub fn state_mismatch() -> Problem {
    Problem::new(
        "Sign-in could not be finished",
        "The answer from the sign-in authority does not belong to a sign-in started in this browser tab (its state does not match). It may come from an old link or another tab.",
        "Start the sign-in again with the button below.",
    )
}

/// An error answer in the address bar that belongs to no sign-in of this tab: a stale or
/// crafted link. Its text is not shown (anyone can write a link saying anything).
pub fn unsolicited_error() -> Problem {
    Problem::new(
        "Sign-in could not be finished",
        "The address carried a sign-in error for a sign-in not started in this browser tab, so its message is not shown. It may come from an old link or another tab.",
        "If you want to sign in, start it again with the button below.",
    )
}

/// The session had no refresh token, and its access token has expired.
pub fn expired_without_renewal() -> Problem {
    Problem::new(
        "Your session has ended",
        "Its access token expired, and the sign-in authority gave no refresh token to renew it with.",
        "Sign in again; you will come back to the page you were on.",
    )
}

/// The id token was not issued for this sign-in.
pub fn nonce_mismatch() -> Problem {
    Problem::new(
        "Sign-in could not be finished",
        "The sign-in authority returned an identity that was not issued for this sign-in (its nonce does not match).",
        "Start the sign-in again with the button below; if it happens again, tell your administrator.",
    )
}

/// The authority answered without an id token.
pub fn no_id_token() -> Problem {
    Problem::new(
        "Sign-in could not be finished",
        "The sign-in authority returned no id token, so the console cannot tell who signed in.",
        "Check that the app registration allows the openid and profile scopes, then sign in again.",
    )
}

/// The authority redirected back with `error` (the user cancelled, consent is missing, …);
/// `subcode` is Entra's `error_subcode` (`cancel`: the user backed out, nothing is wrong).
pub fn refused(error: &str, subcode: Option<&str>, description: Option<&str>) -> Problem {
    if subcode.is_some_and(|s| s.eq_ignore_ascii_case("cancel")) {
        return Problem::new(
            "The sign-in was cancelled",
            "The sign-in was cancelled before it finished, so you are not signed in.",
            "Sign in again when you are ready.",
        );
    }
    let detail = match description.map(first_line).filter(|d| !d.is_empty()) {
        Some(d) => ["The sign-in authority answered: ", d].concat(),
        None => ["The sign-in authority answered \"", error, "\"."].concat(),
    };
    let remedy = if error == "access_denied" {
        "Sign in again and accept the requested permissions, or ask your administrator to grant consent for the console."
    } else {
        "Sign in again; if it keeps failing, ask your administrator to check the console's app registration (single-page-application redirect URI, API permissions)."
    };
    Problem::new("The sign-in was not completed", detail, remedy)
}

/// Redeeming the code failed.
pub fn redemption_failed(e: &ClientError) -> Problem {
    match e {
        ClientError::SignInRequired { reason } => Problem::new(
            "Sign-in could not be finished",
            ["The sign-in authority refused the sign-in: ", reason].concat(),
            "Sign in again. If it keeps failing, check that the console's redirect URI is registered as a single-page application in Entra ID.",
        ),
        other => Problem::from(other),
    }
}

/// Silent renewal failed, so the session ended.
pub fn session_ended(e: &ClientError) -> Problem {
    let reason = match e {
        ClientError::SignInRequired { reason } => reason.clone(),
        other => other.to_string(),
    };
    Problem::new(
        "Your session has ended",
        ["It could not be renewed: ", &reason].concat(),
        "Sign in again; you will come back to the page you were on.",
    )
}

/// A registry token's username or password was not accepted.
pub fn token_refused(login_server: &str) -> Problem {
    Problem::new(
        "Sign-in failed",
        ["The registry ", login_server, " did not accept this username and password."].concat(),
        "Check the token name and password (in the Azure portal: the registry's Tokens page), or generate a new password.",
    )
}

/// Sign-in with Microsoft is not configured.
pub fn no_entra() -> Problem {
    Problem::new(
        "Sign-in with Microsoft is not configured",
        "config.json has no auth section, so the console cannot sign in with Entra ID.",
        "Add auth.clientId, auth.authority and auth.redirectUri to config.json.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_errors_quote_the_first_line_and_suggest_a_remedy() {
        let p = refused("access_denied", None, Some("AADSTS65004: User declined.\r\nTrace ID: 1"));
        assert_eq!(p.detail, "The sign-in authority answered: AADSTS65004: User declined.");
        assert!(p.remedy.contains("accept the requested permissions"));
        let p = refused("invalid_request", None, None);
        assert!(p.detail.contains("invalid_request") && p.remedy.contains("redirect URI"));
    }

    #[test]
    fn a_cancelled_sign_in_is_called_cancelled_not_a_consent_problem() {
        let p = refused("access_denied", Some("cancel"), Some("AADSTS50126: whatever"));
        assert_eq!(p.title, "The sign-in was cancelled");
        assert_eq!(p.remedy, "Sign in again when you are ready.");
        assert!(!p.remedy.contains("consent") && !p.remedy.contains("permissions"), "{p:?}");
    }

    #[test]
    fn every_failure_says_what_to_do() {
        let e = ClientError::SignInRequired { reason: "AADSTS70008: expired".into() };
        for p in [
            state_mismatch(),
            nonce_mismatch(),
            no_id_token(),
            redemption_failed(&e),
            session_ended(&e),
            token_refused("edge.azurecr.io"),
            no_entra(),
            unsolicited_error(),
            expired_without_renewal(),
        ] {
            assert!(!p.title.is_empty() && !p.detail.is_empty() && !p.remedy.is_empty(), "{p:?}");
        }
        assert!(redemption_failed(&e).detail.contains("AADSTS70008"));
        assert!(session_ended(&e).detail.contains("AADSTS70008"));
        let net = ClientError::Network { message: "offline".into() };
        assert!(redemption_failed(&net).retry);
    }
}
