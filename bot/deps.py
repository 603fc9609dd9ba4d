"""What listeners and jobs share: settings, database, clock, and short-lived caches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.observe.metrics import Metrics
from bot.services.matching.process import EngineProcess
from bot.services.programme_cache import ProgrammeCache
from bot.services.workspaces import TeamEnterprises, UninstalledTeams
from bot.slack.client import SharedSession, build_web_client
from bot.slack.handoff import WorkProcesses
from bot.slack.inflight import AfterAckGate
from bot.slack.installations import installation_store
from bot.slack.profiles import ProfileDirectory
from bot.slack.rotation import TokenRefresher
from bot.slack.tokens import BotTokens


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    clock: Clock
    profiles: ProfileDirectory
    programmes: ProgrammeCache
    uninstalled: UninstalledTeams
    enterprises: TeamEnterprises
    tokens: BotTokens
    after_ack: AfterAckGate
    metrics: Metrics = field(default_factory=Metrics)  # this app's own registry
    # Where work after acknowledgements goes when it runs in worker processes.
    handoff: WorkProcesses | None = None
    # The matching engine runs here, in a worker process started when first needed.
    engine: EngineProcess = field(default_factory=EngineProcess)
    # The one pooled HTTP session every Web API client of this process calls over.
    http: SharedSession = field(default_factory=SharedSession)


def build_deps(settings: Settings, db: Database, clock: Clock | None = None) -> Deps:
    clock = clock or SystemClock()
    enterprises = TeamEnterprises(db)
    http = SharedSession()
    deps = Deps(
        settings=settings,
        db=db,
        clock=clock,
        profiles=ProfileDirectory(clock=seconds_of(clock)),
        programmes=ProgrammeCache(db, clock=seconds_of(clock)),
        uninstalled=UninstalledTeams(db, clock=seconds_of(clock)),
        enterprises=enterprises,
        tokens=bot_tokens(settings, db, clock, enterprises, http),
        after_ack=AfterAckGate(limit=settings.after_ack_limit),
        handoff=work_processes(settings, clock),
        http=http,
    )
    deps.metrics.count_queued_work(
        lambda: deps.after_ack.waiting + (deps.handoff.pending if deps.handoff else 0)
    )
    return deps


def work_processes(settings: Settings, clock: Clock) -> WorkProcesses | None:
    if not settings.after_ack_processes:
        return None
    return WorkProcesses(
        settings, count=settings.after_ack_processes, module="bot.work_process", clock=clock
    )


def bot_tokens(
    settings: Settings,
    db: Database,
    clock: Clock,
    enterprises: TeamEnterprises,
    http: SharedSession | None = None,
) -> BotTokens:
    if settings.oauth_enabled:
        return BotTokens(
            single=None,
            store=installation_store(settings, db),
            clock=seconds_of(clock),
            refresher=token_refresher(settings, db, clock, http),
            enterprise_of=enterprises.of,
        )
    token = settings.slack_bot_token
    return BotTokens(
        single=token.get_secret_value() if token is not None else None,
        store=None,
        clock=seconds_of(clock),
    )


def token_refresher(
    settings: Settings, db: Database, clock: Clock, http: SharedSession | None = None
) -> TokenRefresher:
    assert settings.slack_client_id and settings.slack_client_secret, "OAuth mode only"
    return TokenRefresher(
        db=db,
        client=build_web_client(settings, http=http),
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        window_minutes=settings.slack_token_rotation_minutes,
        exchange_legacy=settings.slack_token_rotation,
        clock=seconds_of(clock),
    )


def seconds_of(clock: Clock) -> Callable[[], float]:
    """The clock as seconds, for caches' lifetimes: they follow a test's clock too."""
    return lambda: clock.now().timestamp()
