//! TLS configuration: [`Certificate`] and [`Identity`], and the rustls configs the client
//! and the server are built from (ring as the crypto provider, webpki-roots as the default
//! trust store).

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::{Error, ErrorKind};

/// A certificate to trust, in addition to the Mozilla roots the client trusts by default
/// (for a self-signed test server, or a company's own authority).
///
/// # Examples
///
/// ```
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let trusted = corio_http::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap();
/// let client = corio_http::Client::builder().add_root_certificate(trusted).build().unwrap();
/// # drop(client);
/// ```
#[derive(Clone)]
pub struct Certificate {
    der: CertificateDer<'static>,
}

impl Certificate {
    /// The first certificate of a PEM file (`-----BEGIN CERTIFICATE-----`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Tls`] when `pem` holds no certificate.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Certificate::from_pem(b"not pem").unwrap_err();
    /// assert_eq!(err.kind(), corio_http::ErrorKind::Tls);
    /// ```
    pub fn from_pem(pem: &[u8]) -> Result<Certificate, Error> {
        let der = CertificateDer::from_pem_slice(pem)
            .map_err(|e| Error::new(ErrorKind::Tls, format!("no PEM certificate found: {e}")))?;
        Ok(Certificate { der })
    }

    /// A certificate in DER form.
    ///
    /// # Examples
    ///
    /// ```
    /// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    /// let c = corio_http::Certificate::from_der(cert.cert.der().to_vec());
    /// # drop(c);
    /// ```
    pub fn from_der(der: impl Into<Vec<u8>>) -> Certificate {
        Certificate {
            der: CertificateDer::from(der.into()),
        }
    }

    pub(crate) fn der(&self) -> &CertificateDer<'static> {
        &self.der
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("der_len", &self.der.len())
            .finish()
    }
}

/// A server's certificate chain and private key, for [`serve_tls`](crate::Server::tls).
///
/// # Examples
///
/// ```
/// let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
/// let id = corio_http::Identity::from_pem(
///     cert.cert.pem().as_bytes(),
///     cert.key_pair.serialize_pem().as_bytes(),
/// )
/// .unwrap();
/// # drop(id);
/// ```
#[derive(Clone)]
pub struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: Arc<PrivateKeyDer<'static>>,
}

impl Identity {
    /// A certificate chain (leaf first) and a private key (PKCS#8, PKCS#1 or SEC1), both
    /// PEM.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Tls`] when either part is missing or does not parse.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = corio_http::Identity::from_pem(b"", b"").unwrap_err();
    /// assert_eq!(err.kind(), corio_http::ErrorKind::Tls);
    /// ```
    pub fn from_pem(cert_chain: &[u8], key: &[u8]) -> Result<Identity, Error> {
        let chain: Vec<_> = CertificateDer::pem_slice_iter(cert_chain)
            .collect::<Result<_, _>>()
            .map_err(|e| Error::new(ErrorKind::Tls, format!("bad certificate PEM: {e}")))?;
        if chain.is_empty() {
            return Err(Error::new(
                ErrorKind::Tls,
                "no certificate in the chain PEM",
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key)
            .map_err(|e| Error::new(ErrorKind::Tls, format!("no private key in PEM: {e}")))?;
        Ok(Identity {
            chain,
            key: Arc::new(key),
        })
    }

    pub(crate) fn server_config(&self, alpn_h2: bool) -> Result<rustls::ServerConfig, Error> {
        let mut cfg = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(tls_config_error)?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(tls_config_error)?;
        cfg.alpn_protocols = if alpn_h2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(cfg)
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// ring's provider. rustls 0.23.48 deprecates it for lacking post-quantum key exchange,
/// which only the aws-lc-rs provider has; ring is kept because it builds with a C
/// compiler alone (see the crate docs).
#[allow(deprecated)]
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_config_error(e: rustls::Error) -> Error {
    Error::new(ErrorKind::Tls, format!("TLS configuration: {e}")).with_source(e)
}

/// The client's rustls config: Mozilla's roots plus `extra`, or no verification at all.
pub(crate) fn client_config(
    extra: &[Certificate],
    builtin_roots: bool,
    verify: bool,
    http2: bool,
) -> Result<rustls::ClientConfig, Error> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_config_error)?;
    let mut cfg = if verify {
        let mut roots = rustls::RootCertStore::empty();
        if builtin_roots {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for c in extra {
            roots.add(c.der().clone()).map_err(|e| {
                Error::new(ErrorKind::Tls, format!("bad root certificate: {e}")).with_source(e)
            })?;
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider())))
            .with_no_client_auth()
    };
    cfg.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(cfg)
}

/// Accepts any certificate (the signatures of the handshake are still checked).
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A plain-words explanation of a handshake failure, appended to rustls's message.
pub(crate) fn explain(e: &std::io::Error, host: &str) -> String {
    let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
        return e.to_string();
    };
    use rustls::CertificateError as C;
    let hint = match tls {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            " (untrusted certificate: it is not signed by a trusted root; for a self-signed \
             server add it with ClientBuilder::add_root_certificate)"
                .to_string()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName)
        | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            format!(" (name mismatch: the certificate is not valid for the name {host:?})")
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            " (the certificate has expired)".to_string()
        }
        _ => String::new(),
    };
    format!("{tls}{hint}")
}
