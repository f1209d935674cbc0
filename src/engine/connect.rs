//! The AWS clients of one deployment, and where they come from. The engine takes them behind
//! the `aws` traits, so a caller may inject its own; `SdkConnector` makes the real ones.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::Mutex;

use super::EngineError;
use crate::aws::{
    AuditLog, AwsError, ChatApi, Connection, DestinationApi, LexApi, SdkChat, SdkDestinations,
    SdkLex, SdkTrail, Session, TrailApi,
};
use crate::model::Deployment;

/// One deployment's clients.
#[derive(Clone, Debug)]
pub struct Clients<C, D, L, T> {
    pub chat: C,
    pub destinations: D,
    pub lex: L,
    pub trail: T,
}

/// The clients a connector makes.
pub type ClientsOf<X> = Clients<
    <X as Connector>::Chat,
    <X as Connector>::Destinations,
    <X as Connector>::Lex,
    <X as Connector>::Trail,
>;

/// Makes the clients for a deployment, checking that they reach its account.
pub trait Connector: Send + Sync + Sized {
    type Chat: ChatApi;
    type Destinations: DestinationApi;
    type Lex: LexApi;
    type Trail: TrailApi;

    fn connect(
        &self,
        deployment: &Deployment,
    ) -> impl Future<Output = Result<ClientsOf<Self>, EngineError>> + Send;
}

/// The SDK clients, from the standard credential chain (or the spec's `accounts` entry). Each
/// account's credentials are resolved once and shared by its regions: one AssumeRole per
/// account, not per deployment. Each deployment has its own pacer: quotas are per account and
/// region.
pub struct SdkConnector {
    connection: Connection,
    audit: Option<Arc<AuditLog>>,
    /// The first session made for each account, whose credentials the account's other sessions
    /// share.
    accounts: Mutex<BTreeMap<String, Session>>,
}

impl SdkConnector {
    pub fn new(connection: Connection, audit: Option<Arc<AuditLog>>) -> Self {
        SdkConnector {
            connection,
            audit,
            accounts: Mutex::new(BTreeMap::new()),
        }
    }

    async fn session(&self, deployment: &Deployment) -> Result<Session, AwsError> {
        let mut accounts = self.accounts.lock().await;
        let session = match accounts.get(&deployment.account) {
            Some(first) => self
                .connection
                .session(&deployment.access, &deployment.region)
                .await?
                .sharing_credentials_of(first),
            None => {
                let session = self
                    .connection
                    .session(&deployment.access, &deployment.region)
                    .await?;
                accounts.insert(deployment.account.clone(), session.clone());
                session
            }
        };
        Ok(session)
    }
}

impl Connector for SdkConnector {
    type Chat = SdkChat;
    type Destinations = SdkDestinations;
    type Lex = SdkLex;
    type Trail = SdkTrail;

    async fn connect(
        &self,
        deployment: &Deployment,
    ) -> Result<Clients<SdkChat, SdkDestinations, SdkLex, SdkTrail>, EngineError> {
        let mut session = self.session(deployment).await?;
        session.audit = self.audit.clone();
        let account = session.caller_account().await?;
        if account != deployment.account {
            return Err(EngineError::WrongAccount {
                deployment: super::deployment_id(deployment),
                expected: deployment.account.clone(),
                actual: account,
            });
        }
        Ok(Clients {
            chat: SdkChat::new(&session, &account),
            destinations: SdkDestinations::new(&session, &account),
            lex: SdkLex::new(&session, &account),
            trail: SdkTrail::new(&session, &account),
        })
    }
}
