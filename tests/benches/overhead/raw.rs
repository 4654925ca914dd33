use super::*;

const API_VERSION: HeaderName = HeaderName::from_static("api-version");

#[derive(Clone)]
pub struct Raw {
    http: reqwest::Client,
    base: String,
    /// `Bearer <token>`, marked sensitive like the SDK's, built once.
    bearer: HeaderValue,
}

impl Raw {
    /// Builds the `reqwest::Client` as `ClientBuilder::build` (kajabi-api/client.rs)
    /// does, and gets a token with the client-credentials grant.
    pub async fn connect(base: &str) -> Result<Raw, BoxError> {
        let http = http_client();
        let response = http
            .post(format!("{base}/v1/oauth/token"))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .form(&[
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
                ("grant_type", "client_credentials"),
            ])
            .send()
            .await?
            .error_for_status()?;
        let token: types::OauthTokenResponse = serde_json::from_slice(&response.bytes().await?)?;
        let access = token.access_token.ok_or("no access_token")?;
        let mut bearer = HeaderValue::try_from(format!("Bearer {}", access.secret()))?;
        bearer.set_sensitive(true);
        Ok(Raw {
            http,
            base: base.to_string(),
            bearer,
        })
    }

    /// `GET /v1/me` with the SDK's URL building, headers and typed decode.
    pub async fn get_me(&self) -> Result<MeResponse, BoxError> {
        let response = self
            .http
            .get(format!("{}/v1/me", self.base))
            .header(ACCEPT, HeaderValue::from_static("application/vnd.api+json"))
            // A static name, as the generated code has: no parsing per call.
            .header(API_VERSION, HeaderValue::from_static("1.1.0"))
            .header(AUTHORIZATION, self.bearer.clone())
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("GET /v1/me: {}", response.status()).into());
        }
        let body = response.bytes().await?;
        Ok(serde_json::from_slice::<MeResponse>(&body)?)
    }
}

/// The SDK's own `reqwest::Client` settings (kajabi-api/client.rs, `build()`).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(format!(
            "kajabi-api-rust/{}",
            kajabi_api_tests::sdk_version()
        ))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .expect("reqwest client builds")
}
