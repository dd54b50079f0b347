-- Email domains of single sign-on are proven by a DNS TXT record before
-- they route sign-ins. Several organisations may claim one domain while
-- it is pending; the one that proves it first has it, and nobody else can
-- prove it while it keeps it (the partial unique index).
--
-- Domains claimed before this migration become pending: nothing proved
-- them, so they stop routing sign-ins until the organisation verifies
-- them (or the operator runs phoneset-server org verify-domain). Each
-- organisation's audit log says so, and the claim carries the reason the
-- Organisation tab shows.

-- +goose Up
CREATE TABLE sso_domain_claims (
    org_id      TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    -- 0: pending
    verified_at BIGINT NOT NULL DEFAULT 0,
    -- the last DNS check that did not verify: when, and its reason code
    checked_at  BIGINT NOT NULL DEFAULT 0,
    failure     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, domain)
);
CREATE UNIQUE INDEX sso_domain_claims_verified ON sso_domain_claims (domain) WHERE verified_at > 0;
CREATE INDEX sso_domain_claims_domain ON sso_domain_claims (domain);

INSERT INTO sso_domain_claims (org_id, domain, failure)
    SELECT org_id, domain, 'domain_unproven' FROM sso_domains;
INSERT INTO audit_events (org_id, at, actor_id, actor, ip, action, resource, field, old_value, new_value)
    SELECT org_id, ${NOW_MICROS}, 'system', 'system', '', 'sso.domain_pending', 'org/' || org_id || '/sso/domains/' || domain,
        'state', 'routing sign-ins', 'pending: prove it with a DNS TXT record'
    FROM sso_domains;
DROP TABLE sso_domains;

-- +goose Down
-- Only verified domains go back: a pending claim proves nothing.
CREATE TABLE sso_domains (
    domain TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE
);
CREATE INDEX sso_domains_org ON sso_domains (org_id);
INSERT INTO sso_domains (domain, org_id) SELECT domain, org_id FROM sso_domain_claims WHERE verified_at > 0;
DROP TABLE sso_domain_claims;
