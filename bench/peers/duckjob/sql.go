// Package duckjob is the DuckDB peer of simrisk score: one SQL job that
// reads a card-schema v1 JSON Lines file, computes the population feature
// the default pack reads (cards per holder per operator) with a window
// function, fires the default pack's rules and writes each card's score,
// level, outcome and fired rules as JSON Lines. Its SQL is plain text here;
// running it needs DuckDB (cgo), built only with the duckdb build tag:
//
//	cd bench/peers && go test -tags duckdb -run DuckDB -bench DuckDB ./...
//
// It implements the default pack (rules/packs/default) as shipped, its
// parameters written in: change the pack and this job no longer agrees.
// It reads the files simrisk gen writes (canonical values, no rejects); it
// does not validate, alias or normalise as simrisk's readers do.
package duckjob

import (
	"fmt"
	"strings"

	"github.com/simrisk/simrisk/risk"
)

// Setup defines the job's macros; run it once per connection.
const Setup = `
CREATE OR REPLACE MACRO ts(x) AS CASE WHEN x IS NULL OR x = '' THEN 0
  WHEN length(x) = 10 THEN epoch(CAST(x AS DATE))::BIGINT - 28800
  ELSE epoch(CAST(x AS TIMESTAMPTZ))::BIGINT END;
CREATE OR REPLACE MACRO cstday(t) AS CAST(floor((t + 28800) / 86400) AS BIGINT);
CREATE OR REPLACE MACRO hot(r) AS r IN ('MM', 'KH', 'AE', 'PH', 'TH', 'LA', 'MY', 'TR', 'GE')
  OR (length(r) = 6 AND (r IN ('350802', '460400', '440904', '350524', '431321', '450126', '361127', '533100', '530900', '530800', '532800', '451400', '450600', '451000')
    OR substr(r, 1, 4) || '00' IN ('460400', '533100', '530900', '530800', '532800', '451400', '450600', '451000')));
`

// Query returns the job's COPY statement: read in (JSON Lines), judge every
// date at asOf, write out (JSON Lines: msisdn, score, level, outcome,
// hits).
func Query(in, out string, asOf risk.Time) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	return fmt.Sprintf(query, q(in), int64(asOf), q(out))
}

const query = `
COPY (
WITH src AS (
  SELECT * FROM read_json(%[1]s, format = 'newline_delimited', columns = {
    msisdn: 'VARCHAR', operator: 'VARCHAR', mvno: 'VARCHAR', kind: 'VARCHAR', status: 'VARCHAR',
    opened_at: 'VARCHAR', holder: 'VARCHAR', last_voice_at: 'VARCHAR', last_sms_at: 'VARCHAR',
    last_data_at: 'VARCHAR', last_attach_at: 'VARCHAR', open_region: 'VARCHAR', roaming: 'STRUCT(region VARCHAR, last_seen VARCHAR)[]',
    fraud_flag: 'VARCHAR', complaints: 'BIGINT', alerts_30d: 'BIGINT', verify_required_at: 'VARCHAR',
    verified_at: 'VARCHAR', recycled: 'BOOLEAN', released_at: 'VARCHAR', renewed: 'BOOLEAN',
    linked_platforms: 'VARCHAR[]',
    iot: 'STRUCT(test_plan BOOLEAN, nondirected_data BOOLEAN, nondirected_voice BOOLEAN, nondirected_sms BOOLEAN, directed_voice BOOLEAN, directed_sms BOOLEAN, user_realnamed BOOLEAN, business VARCHAR, handler_verified BOOLEAN, province_approval BOOLEAN, group_approval BOOLEAN)'
  })
),
c AS (
  SELECT msisdn, coalesce(kind, '') AS kind, coalesce(status, '') <> 'cancelled' AS valid,
    coalesce(fraud_flag, '') AS fraud_flag, coalesce(complaints, 0) AS complaints,
    coalesce(alerts_30d, 0) AS alerts_30d, coalesce(recycled, false) AS recycled,
    coalesce(renewed, false) AS renewed, coalesce(len(linked_platforms), 0) AS platforms,
    open_region, roaming, iot, substr(msisdn, 1, 3) = '149' AND length(msisdn) = 11 AS seg149,
    greatest(ts(last_voice_at), ts(last_sms_at), ts(last_data_at)) AS last_act,
    ts(opened_at) AS opened, ts(released_at) AS released, ts(last_attach_at) AS attached,
    ts(verify_required_at) AS vra, ts(verified_at) AS verified,
    CASE WHEN coalesce(status, '') = 'cancelled' THEN 0
      WHEN coalesce(holder, '') = '' THEN 1
      ELSE count(*) FILTER (WHERE coalesce(status, '') <> 'cancelled')
        OVER (PARTITION BY holder, CASE WHEN coalesce(mvno, '') <> '' THEN '#' || mvno ELSE operator END)
    END AS on_op
  FROM src
),
f AS (
  SELECT *, %[2]d AS as_of,
    cstday(%[2]d) - cstday(CASE WHEN last_act = 0 THEN opened ELSE last_act END) AS idle_days,
    CASE WHEN attached = 0 THEN 1000000 ELSE cstday(%[2]d) - cstday(attached) END AS attach_days,
    vra <> 0 AND verified < vra AS pending,
    CASE WHEN recycled AND released <> 0 THEN cstday(opened) - cstday(released) ELSE 1000000 END AS freeze_days,
    kind IN ('iot', 'data_card') AS iot_scope,
    coalesce(iot.test_plan, false) AS test_plan,
    coalesce(iot.user_realnamed, false) AND on_op <= 5 AS realnamed5
  FROM c
),
h AS (
  SELECT msisdn,
    coalesce(valid AND (fraud_flag <> '' OR complaints >= 1), false) AS r_fraud,
    coalesce(valid AND kind <> 'iot' AND on_op > 5, false) AS r_multi,
    coalesce(valid AND idle_days >= 90, false) AS r_dormant,
    coalesce(valid AND attach_days <= 7 AND idle_days >= 30, false) AS r_silent,
    coalesce(valid AND (hot(open_region) OR len(list_filter(roaming, lambda x: x.last_seen IS NOT NULL AND cstday(%[2]d) - cstday(ts(x.last_seen)) <= 90 AND hot(x.region))) > 0), false) AS r_region,
    coalesce(valid AND alerts_30d >= 3, false) AS r_alerts,
    coalesce(valid AND pending AND as_of > vra + 86400, false) AS r_overdue,
    coalesce(valid AND pending AND as_of <= vra + 86400, false) AS r_pending,
    coalesce(valid AND iot_scope AND coalesce(iot.business, '') IN ('new', 'transfer', 'realname_supplement', 'replacement') AND NOT coalesce(iot.handler_verified, false), false) AS r_handler,
    coalesce(valid AND iot_scope AND NOT test_plan AND coalesce(iot.nondirected_data, false) AND NOT realnamed5 AND NOT coalesce(iot.province_approval, false), false) AS r_nd_data,
    coalesce(valid AND iot_scope AND NOT test_plan AND seg149 AND (coalesce(iot.nondirected_voice, false) OR coalesce(iot.nondirected_sms, false)) AND NOT realnamed5, false) AS r_149_nd,
    coalesce(valid AND iot_scope AND NOT test_plan AND seg149 AND (coalesce(iot.directed_voice, false) OR coalesce(iot.directed_sms, false)) AND NOT coalesce(iot.user_realnamed, false) AND NOT coalesce(iot.group_approval, false), false) AS r_149_d,
    coalesce(valid AND recycled AND freeze_days < 90, false) AS r_freeze,
    coalesce(valid AND recycled AND NOT renewed AND platforms > 0, false) AS r_bound
  FROM f
),
s AS (
  SELECT *,
    least(100, 60 * r_fraud::INT + 30 * r_multi::INT + 25 * r_dormant::INT + 25 * r_silent::INT + 30 * r_region::INT + 30 * r_alerts::INT
      + 50 * r_overdue::INT + 40 * r_handler::INT + 40 * r_nd_data::INT + 40 * r_149_nd::INT + 40 * r_149_d::INT
      + 10 * r_freeze::INT + 10 * r_bound::INT) AS score,
    greatest(CASE WHEN r_overdue THEN 4 WHEN r_handler OR r_nd_data OR r_149_nd OR r_149_d THEN 3
      WHEN r_fraud OR r_multi OR r_dormant OR r_silent OR r_region OR r_alerts OR r_pending THEN 2
      WHEN r_freeze OR r_bound THEN 1 ELSE 0 END, 0) AS rule_out
  FROM h
)
SELECT msisdn, score,
  CASE WHEN score >= 80 THEN 'critical' WHEN score >= 50 THEN 'high' WHEN score >= 20 THEN 'medium' ELSE 'low' END AS level,
  ['pass', 'monitor', 'verify', 'restrict', 'suspend'][greatest(rule_out, CASE WHEN score >= 80 THEN 3 WHEN score >= 50 THEN 2 WHEN score >= 20 THEN 1 ELSE 0 END) + 1] AS outcome,
  list_filter([CASE WHEN r_fraud THEN 'fraud_involved' END, CASE WHEN r_multi THEN 'multi_card_id' END,
    CASE WHEN r_dormant THEN 'dormant' END, CASE WHEN r_silent THEN 'silent' END, CASE WHEN r_region THEN 'high_fraud_region' END,
    CASE WHEN r_alerts THEN 'frequent_alerts' END, CASE WHEN r_overdue THEN 'verification_overdue' END,
    CASE WHEN r_pending THEN 'verification_pending' END, CASE WHEN r_handler THEN 'iot_handler_check' END,
    CASE WHEN r_nd_data THEN 'iot_nondirected_data' END, CASE WHEN r_149_nd THEN 'iot_149_nondirected' END,
    CASE WHEN r_149_d THEN 'iot_149_directed' END, CASE WHEN r_freeze THEN 'recycled_short_freeze' END,
    CASE WHEN r_bound THEN 'recycled_bound_accounts' END], lambda x: x IS NOT NULL) AS hits
FROM s
) TO %[3]s (FORMAT json)
`
