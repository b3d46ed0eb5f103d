"""How an agency's deliveries stand (kinerja.delivery.health.v1): where deliveries and endpoints are reported, what
a snapshot counts, which scopes are looked at again, and which snapshots are worth publishing."""

from datetime import UTC, datetime, timedelta

from services.notification.domain.circuit import BreakerPolicy, CircuitBreakers
from services.notification.domain.deliveries import Channel, Delivery, DeliveryStatus
from services.notification.domain.health import (
    ALL_AGENCIES,
    ENDPOINTS_LISTED_MAX,
    DeliveryGroup,
    Endpoint,
    delivery_scope,
    health_digest,
    scopes_to_look_at,
    scrubbed_error,
    snapshot,
    subscription_scope,
    to_publish,
)
from shared.contracts.notifications import DeliveryHealth, EndpointState

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
AGENCY = "dinkes-kab-uji"


def delivery(channel: Channel, **payload) -> Delivery:
    return Delivery(
        id="d" * 32,
        channel=channel,
        target="https://tpp.example.go.id",
        agency_id=AGENCY,
        event_id="e-1",
        event_type="kinerja.score.computed",
        next_attempt_at=NOW,
        created_at=NOW,
        payload=payload,
    )


def group(channel: Channel, status: DeliveryStatus, count: int, subscription_id=None, scope=AGENCY) -> DeliveryGroup:
    return DeliveryGroup(scope, channel, status, count, subscription_id)


def channels(health: DeliveryHealth) -> dict[str, tuple[int, int, int]]:
    return {c.channel.value: (c.sent, c.pending, c.dead) for c in health.channels}


def test_an_agencys_own_subscriptions_are_its_own_and_the_administrators_for_several_are_everyones():
    assert subscription_scope(AGENCY, [AGENCY]) == AGENCY
    assert subscription_scope(None, [AGENCY]) == AGENCY  # the administrator's, for this agency only
    assert subscription_scope(None, None) == ALL_AGENCIES  # payroll hearing every agency
    assert subscription_scope(None, [AGENCY, "bkd-prov-uji"]) == ALL_AGENCIES


def test_a_webhook_is_reported_where_its_subscription_is_and_mail_where_its_agency_is():
    assert delivery_scope(delivery(Channel.WEBHOOK, scope=ALL_AGENCIES)) == ALL_AGENCIES
    assert delivery_scope(delivery(Channel.WEBHOOK)) == AGENCY  # stored before deliveries carried a scope
    assert delivery_scope(delivery(Channel.EMAIL, scope=ALL_AGENCIES)) == AGENCY


def test_only_scopes_whose_marker_moved_are_looked_at_and_all_of_them_after_a_start():
    marks = {AGENCY: 7, "bkd-prov-uji": 3, ALL_AGENCIES: 1}

    assert scopes_to_look_at(marks, {}) == sorted(marks)
    assert scopes_to_look_at(marks, {AGENCY: 7, "bkd-prov-uji": 2, ALL_AGENCIES: 1}) == ["bkd-prov-uji"]
    assert scopes_to_look_at(marks, dict(marks)) == []


def test_a_snapshot_counts_each_channel_of_its_scope_with_deliveries_being_sent_as_pending():
    groups = [
        group(Channel.INBOX, DeliveryStatus.SENT, 12),
        group(Channel.EMAIL, DeliveryStatus.SENT, 5),
        group(Channel.EMAIL, DeliveryStatus.PENDING, 2),
        group(Channel.EMAIL, DeliveryStatus.SENDING, 1),
        group(Channel.EMAIL, DeliveryStatus.DEAD, 1),
        group(Channel.WEBHOOK, DeliveryStatus.PENDING, 3, "wh_a"),
        group(Channel.WEBHOOK, DeliveryStatus.DEAD, 4, "wh_b", scope=ALL_AGENCIES),  # not this agency's
        group(Channel.EMAIL, DeliveryStatus.SENT, 9, scope="bkd-prov-uji"),
    ]

    health = snapshot(AGENCY, groups, [], NOW)

    assert health.agency_id == AGENCY and health.observed_at == NOW
    assert channels(health) == {"inbox": (12, 0, 0), "email": (5, 3, 1), "webhook": (0, 3, 0)}


def test_endpoints_show_their_host_only_their_own_counts_and_paused_ones_come_first():
    last_success = NOW - timedelta(hours=1)
    endpoints = [
        Endpoint("wh_a", AGENCY, "https://tpp.example.go.id/kinerja?token=rahasia", last_success_at=last_success),
        Endpoint(
            "wh_b",
            AGENCY,
            "https://user:sandi@siasn.example.go.id:8443/hook",
            failures_in_a_row=6,
            last_error="HTTP 500",
            paused=True,
        ),
        Endpoint("wh_c", "bkd-prov-uji", "https://other.example.go.id/hook"),
    ]
    groups = [
        group(Channel.WEBHOOK, DeliveryStatus.SENT, 8, "wh_a"),
        group(Channel.WEBHOOK, DeliveryStatus.PENDING, 3, "wh_b"),
        group(Channel.WEBHOOK, DeliveryStatus.DEAD, 2, "wh_b"),
    ]

    health = snapshot(AGENCY, groups, endpoints, NOW)

    paused, active = health.endpoints
    assert (paused.subscription_id, paused.state, paused.url_host) == (
        "wh_b",
        EndpointState.PAUSED,
        "siasn.example.go.id",
    )
    assert (paused.pending, paused.dead, paused.failures_in_a_row, paused.last_error) == (3, 2, 6, "HTTP 500")
    assert (active.subscription_id, active.state, active.url_host) == (
        "wh_a",
        EndpointState.ACTIVE,
        "tpp.example.go.id",
    )
    assert (active.pending, active.dead, active.last_success_at) == (0, 0, last_success)
    assert "rahasia" not in health.model_dump_json() and "sandi" not in health.model_dump_json()
    assert channels(health)["webhook"] == (8, 3, 2)


def test_an_error_naming_a_url_keeps_its_host_only_and_fits_the_contract():
    assert scrubbed_error("refused https://u:p@hook.example.go.id/x?token=abc now") == "refused hook.example.go.id now"
    assert len(scrubbed_error("x" * 900) or "") == 500
    assert scrubbed_error(None) is None


def test_at_most_the_contracts_number_of_endpoints_are_listed_the_busiest_first():
    endpoints = [Endpoint(f"wh_{i:03d}", AGENCY, "https://a.example.go.id/") for i in range(ENDPOINTS_LISTED_MAX + 5)]
    groups = [group(Channel.WEBHOOK, DeliveryStatus.DEAD, 1, f"wh_{i:03d}") for i in range(ENDPOINTS_LISTED_MAX, 205)]

    health = snapshot(AGENCY, groups, endpoints, NOW)

    assert len(health.endpoints) == ENDPOINTS_LISTED_MAX
    assert {e.subscription_id for e in health.endpoints[:5]} == {f"wh_{i:03d}" for i in range(200, 205)}
    assert channels(health)["webhook"] == (0, 0, 5)


def test_a_snapshot_is_published_when_it_says_something_new_not_because_time_passed():
    groups = [group(Channel.INBOX, DeliveryStatus.SENT, 3)]
    first = snapshot(AGENCY, groups, [], NOW)
    later = snapshot(AGENCY, groups, [], NOW + timedelta(minutes=5))
    changed = snapshot(AGENCY, [*groups, group(Channel.EMAIL, DeliveryStatus.DEAD, 1)], [], NOW)

    assert health_digest(first) == health_digest(later)
    assert to_publish([first], {}) == [(first, health_digest(first))]  # nothing told yet for the scope
    assert to_publish([later], {AGENCY: health_digest(first)}) == []
    assert to_publish([changed], {AGENCY: health_digest(first)}) == [(changed, health_digest(changed))]


def test_an_endpoint_counts_as_paused_from_its_breaker_opening_until_an_attempt_succeeds():
    breakers = CircuitBreakers(BreakerPolicy(failures_to_open=2, first_cool_down_s=5))
    target = "https://tpp.example.go.id"

    breakers.record_failure(target, NOW)
    assert not breakers.tripped(target)  # one failure: still active
    breakers.record_failure(target, NOW)
    assert breakers.tripped(target) and breakers.is_open(target, NOW)
    after_cool_down = NOW + timedelta(seconds=6)
    assert breakers.tripped(target) and not breakers.is_open(target, after_cool_down)  # trial attempts only
    breakers.record_success(target)
    assert not breakers.tripped(target)
