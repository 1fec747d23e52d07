//! Discord's side of the interactions endpoint: a client that signs each request
//! with a key pair, as Discord signs with the application's, and POSTs it to the
//! bot's endpoint (`firstkiss-bot serve`). Tests give the bot [`public_key`] and post
//! with [`Client`]; they can also break a request in each way the endpoint must
//! refuse (a forged signature, another key, an old timestamp, a missing header, an
//! oversized body).

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use serde_json::Value;

use crate::discord::verify::{encode_hex, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The mock application's private key (a test key: never a real application's).
const TEST_SEED: [u8; 32] = *b"firstkiss-mock-application-key!!";

/// The mock application's key pair.
pub fn test_key() -> SigningKey {
    SigningKey::from_bytes(&TEST_SEED)
}

/// The mock application's public key, in hex, as the Developer Portal shows it.
pub fn public_key() -> String {
    encode_hex(test_key().verifying_key().as_bytes())
}

/// How one request departs from what Discord sends.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Tamper {
    /// Signed and sent as Discord does.
    #[default]
    None,
    /// Signed with another key.
    OtherKey,
    /// The signature of another body.
    Forged,
    /// Signed correctly, with a timestamp this long ago.
    Old(Duration),
    /// Without this header.
    Without(&'static str),
}

/// What the endpoint answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub text: String,
    /// The body as JSON, or `Null` if it is not JSON.
    pub json: Value,
    /// The answer said `Connection: close`: no further request on its connection.
    pub closes: bool,
}

/// A request ready to post: its body and the headers Discord would send with it.
#[derive(Debug, Clone)]
pub struct Signed {
    body: Vec<u8>,
    signature: Option<String>,
    timestamp: Option<String>,
}

/// Posts signed requests to an interactions endpoint on loopback.
pub struct Client {
    address: SocketAddr,
    url: String,
    client: reqwest::Client,
    key: SigningKey,
}

impl Client {
    /// A client for the endpoint at `address`, over HTTP/1.1 as Discord posts.
    pub fn new(address: SocketAddr) -> reqwest::Result<Client> {
        Self::build(address, reqwest::Client::builder())
    }

    /// A client that multiplexes its requests over one HTTP/2 connection, for bursts.
    pub fn http2(address: SocketAddr) -> reqwest::Result<Client> {
        Self::build(address, reqwest::Client::builder().http2_prior_knowledge())
    }

    fn build(address: SocketAddr, builder: reqwest::ClientBuilder) -> reqwest::Result<Client> {
        // Loopback only, whatever proxy the environment names.
        let client = builder.no_proxy().timeout(Duration::from_secs(30)).build()?;
        Ok(Client { address, url: format!("http://{address}/interactions"), client, key: test_key() })
    }

    /// The endpoint's address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Posts `interaction`, signed as Discord signs.
    pub async fn post(&self, interaction: &Value) -> reqwest::Result<Answer> {
        self.post_raw(interaction.to_string().into_bytes(), Tamper::None).await
    }

    /// Posts `body` as it is, signed and sent as `tamper` says.
    pub async fn post_raw(&self, body: Vec<u8>, tamper: Tamper) -> reqwest::Result<Answer> {
        self.send(self.sign(body, tamper)).await
    }

    /// Signs `body` now, as `tamper` says, to be sent later (a benchmark signs a
    /// burst before it starts the clock, as Discord signs on its own machines).
    pub fn sign(&self, body: Vec<u8>, tamper: Tamper) -> Signed {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let at = match &tamper {
            Tamper::Old(age) => now.saturating_sub(*age),
            _ => now,
        };
        let timestamp = at.as_secs().to_string();
        let signed =
            |key: &SigningKey, body: &[u8]| encode_hex(&key.sign(&[timestamp.as_bytes(), body].concat()).to_bytes());
        let signature = match &tamper {
            Tamper::OtherKey => signed(&SigningKey::from_bytes(&[9; 32]), &body),
            Tamper::Forged => signed(&self.key, b"{\"type\":1}"),
            _ => signed(&self.key, &body),
        };
        let signature = (tamper != Tamper::Without(SIGNATURE_HEADER)).then_some(signature);
        let timestamp = (tamper != Tamper::Without(TIMESTAMP_HEADER)).then_some(timestamp);
        Signed { body, signature, timestamp }
    }

    /// Posts a request signed by [`Self::sign`].
    pub async fn send(&self, signed: Signed) -> reqwest::Result<Answer> {
        let mut request = self.client.post(&self.url).header("content-type", "application/json");
        if let Some(signature) = signed.signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        if let Some(timestamp) = signed.timestamp {
            request = request.header(TIMESTAMP_HEADER, timestamp);
        }
        let response = request.body(signed.body).send().await?;
        let (status, closes) = (response.status().as_u16(), closes(&response));
        let text = response.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, text, json, closes })
    }

    /// GETs `path` from the same listener (`/metrics`, `/healthz`, `/readyz`).
    pub async fn get(&self, path: &str) -> reqwest::Result<Answer> {
        let url = self.url.replace("/interactions", path);
        let response = self.client.get(url).send().await?;
        let (status, closes) = (response.status().as_u16(), closes(&response));
        let text = response.text().await?;
        Ok(Answer { status, text, json: Value::Null, closes })
    }
}

fn closes(response: &reqwest::Response) -> bool {
    response.headers().get(reqwest::header::CONNECTION).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"))
}
