package datasets

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// CSVColumns is the header of card-schema v1's CSV form, in order: the
// schema's fields, flattened with dots (iot.test_plan). Lists put ";"
// between items; roaming is two aligned lists, roaming.region and
// roaming.last_seen (item i of each is one entry). An empty cell is absent.
// It returns a new slice on each call.
func CSVColumns() []string { return slices.Clone(csvColumns) }

// LabelColumns returns the columns that follow CSVColumns when labels are
// written (label.fraud, label.scenario), a new slice on each call.
func LabelColumns() []string { return slices.Clone(labelColumns) }

var csvColumns = []string{
	"msisdn", "iccid", "operator", "mvno", "kind", "status", "opened_at", "holder", "id_region",
	"last_voice_at", "last_sms_at", "last_data_at", "open_region", "roaming.region", "roaming.last_seen",
	"fraud_flag", "complaints", "alerts_30d", "verify_required_at", "verified_at", "recycled", "released_at",
	"renewed", "linked_platforms", "iot.test_plan", "iot.nondirected_data", "iot.nondirected_voice",
	"iot.nondirected_sms", "iot.directed_voice", "iot.directed_sms", "iot.user_realnamed", "iot.business",
	"iot.handler_verified", "iot.province_approval", "iot.group_approval",
}

var labelColumns = []string{"label.fraud", "label.scenario"}

type fieldSetter func(r *risk.Record, l *Label, v string) error

func setStr(dst func(*risk.Record) *string) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error { *dst(r) = v; return nil }
}

func setTime(dst func(*risk.Record) *risk.Time) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error {
		t, err := risk.ParseTime(v)
		if err != nil {
			return err
		}
		*dst(r) = t
		return nil
	}
}

// parseBool reads a CSV boolean: true or false in any case (Excel writes
// TRUE and FALSE), 1 or 0.
func parseBool(v string) (bool, error) {
	switch v {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("want true or false (or TRUE, FALSE, 1, 0), got %s", ref.Quote(v))
}

func setBool(dst func(*risk.Record) *bool) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error {
		b, err := parseBool(v)
		*dst(r) = b
		return err
	}
}

func setInt(dst func(*risk.Record) *int) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want an integer, got %s", ref.Quote(v))
		}
		*dst(r) = n
		return nil
	}
}

var csvSetters = map[string]fieldSetter{
	"msisdn":             setStr(func(r *risk.Record) *string { return &r.MSISDN }),
	"iccid":              setStr(func(r *risk.Record) *string { return &r.ICCID }),
	"operator":           setStr(func(r *risk.Record) *string { return &r.Operator }),
	"mvno":               setStr(func(r *risk.Record) *string { return &r.MVNO }),
	"kind":               setStr(func(r *risk.Record) *string { return &r.Kind }),
	"status":             setStr(func(r *risk.Record) *string { return &r.Status }),
	"opened_at":          setTime(func(r *risk.Record) *risk.Time { return &r.OpenedAt }),
	"holder":             setStr(func(r *risk.Record) *string { return &r.Holder }),
	"id_region":          setStr(func(r *risk.Record) *string { return &r.IDRegion }),
	"last_voice_at":      setTime(func(r *risk.Record) *risk.Time { return &r.LastVoiceAt }),
	"last_sms_at":        setTime(func(r *risk.Record) *risk.Time { return &r.LastSMSAt }),
	"last_data_at":       setTime(func(r *risk.Record) *risk.Time { return &r.LastDataAt }),
	"open_region":        setStr(func(r *risk.Record) *string { return &r.OpenRegion }),
	"fraud_flag":         setStr(func(r *risk.Record) *string { return &r.FraudFlag }),
	"complaints":         setInt(func(r *risk.Record) *int { return &r.Complaints }),
	"alerts_30d":         setInt(func(r *risk.Record) *int { return &r.Alerts30d }),
	"verify_required_at": setTime(func(r *risk.Record) *risk.Time { return &r.VerifyRequiredAt }),
	"verified_at":        setTime(func(r *risk.Record) *risk.Time { return &r.VerifiedAt }),
	"recycled":           setBool(func(r *risk.Record) *bool { return &r.Recycled }),
	"released_at":        setTime(func(r *risk.Record) *risk.Time { return &r.ReleasedAt }),
	"renewed":            setBool(func(r *risk.Record) *bool { return &r.Renewed }),
	"linked_platforms": func(r *risk.Record, _ *Label, v string) error {
		items, err := splitItems(v, risk.MaxLinkedPlatforms, "risk.MaxLinkedPlatforms")
		r.LinkedPlatforms = items
		return err
	},
	"roaming.region": func(r *risk.Record, _ *Label, v string) error {
		items, err := splitItems(v, risk.MaxRoaming, "risk.MaxRoaming")
		if err != nil {
			return err
		}
		r.Roaming = growRoaming(r.Roaming, len(items))
		for i, it := range items {
			r.Roaming[i].Region = it
		}
		return nil
	},
	"roaming.last_seen": func(r *risk.Record, _ *Label, v string) error {
		items, err := splitItems(v, risk.MaxRoaming, "risk.MaxRoaming")
		if err != nil {
			return err
		}
		r.Roaming = growRoaming(r.Roaming, len(items))
		for i, it := range items {
			if it == "" {
				continue
			}
			t, err := risk.ParseTime(it)
			if err != nil {
				return fmt.Errorf("item %d: %v", i+1, err)
			}
			r.Roaming[i].LastSeen = t
		}
		return nil
	},
	"iot.test_plan":         setBool(func(r *risk.Record) *bool { return &r.IoT.TestPlan }),
	"iot.nondirected_data":  setBool(func(r *risk.Record) *bool { return &r.IoT.NondirectedData }),
	"iot.nondirected_voice": setBool(func(r *risk.Record) *bool { return &r.IoT.NondirectedVoice }),
	"iot.nondirected_sms":   setBool(func(r *risk.Record) *bool { return &r.IoT.NondirectedSMS }),
	"iot.directed_voice":    setBool(func(r *risk.Record) *bool { return &r.IoT.DirectedVoice }),
	"iot.directed_sms":      setBool(func(r *risk.Record) *bool { return &r.IoT.DirectedSMS }),
	"iot.user_realnamed":    setBool(func(r *risk.Record) *bool { return &r.IoT.UserRealnamed }),
	"iot.business":          setStr(func(r *risk.Record) *string { return &r.IoT.Business }),
	"iot.handler_verified":  setBool(func(r *risk.Record) *bool { return &r.IoT.HandlerVerified }),
	"iot.province_approval": setBool(func(r *risk.Record) *bool { return &r.IoT.ProvinceApproval }),
	"iot.group_approval":    setBool(func(r *risk.Record) *bool { return &r.IoT.GroupApproval }),
	"label.fraud": func(_ *risk.Record, l *Label, v string) error {
		b, err := parseBool(v)
		l.Fraud = b
		return err
	},
	"label.scenario": func(_ *risk.Record, l *Label, v string) error { l.Scenario = v; return nil },
}

// splitItems splits a list cell at ";", refusing more than max items (the
// record limit named by limit) before splitting it.
func splitItems(v string, max int, limit string) ([]string, error) {
	if n := strings.Count(v, ";") + 1; n > max {
		return nil, fmt.Errorf("has %d items, over the limit of %d (%s)", n, max, limit)
	}
	return strings.Split(v, ";"), nil
}

func growRoaming(r []risk.Roaming, n int) []risk.Roaming {
	for len(r) < n {
		r = append(r, risk.Roaming{})
	}
	return r
}

// CSVWriter writes records in card-schema v1's CSV form.
type CSVWriter struct {
	cw     *csv.Writer
	labels bool
	row    []string
	header bool
}

// NewCSVWriter returns a CSVWriter; with labels true it adds the label
// columns. Call Flush at the end.
func NewCSVWriter(w io.Writer, labels bool) *CSVWriter {
	return &CSVWriter{cw: csv.NewWriter(w), labels: labels}
}

func fmtTime(t risk.Time) string { return t.String() }

func fmtBool(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func fmtInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Write writes one record (and its label, when the writer has label columns).
func (w *CSVWriter) Write(r *risk.Record, l Label) error {
	if !w.header {
		w.header = true
		h := slices.Clone(csvColumns)
		if w.labels {
			h = append(h, labelColumns...)
		}
		if err := w.cw.Write(h); err != nil {
			return err
		}
	}
	var regions, seen []string
	for _, ro := range r.Roaming {
		regions = append(regions, ro.Region)
		seen = append(seen, fmtTime(ro.LastSeen))
	}
	w.row = append(w.row[:0],
		r.MSISDN, r.ICCID, r.Operator, r.MVNO, r.Kind, r.Status, fmtTime(r.OpenedAt), r.Holder, r.IDRegion,
		fmtTime(r.LastVoiceAt), fmtTime(r.LastSMSAt), fmtTime(r.LastDataAt), r.OpenRegion,
		strings.Join(regions, ";"), strings.Join(seen, ";"),
		r.FraudFlag, fmtInt(r.Complaints), fmtInt(r.Alerts30d), fmtTime(r.VerifyRequiredAt), fmtTime(r.VerifiedAt),
		fmtBool(r.Recycled), fmtTime(r.ReleasedAt), fmtBool(r.Renewed), strings.Join(r.LinkedPlatforms, ";"),
		fmtBool(r.IoT.TestPlan), fmtBool(r.IoT.NondirectedData), fmtBool(r.IoT.NondirectedVoice),
		fmtBool(r.IoT.NondirectedSMS), fmtBool(r.IoT.DirectedVoice), fmtBool(r.IoT.DirectedSMS),
		fmtBool(r.IoT.UserRealnamed), r.IoT.Business, fmtBool(r.IoT.HandlerVerified),
		fmtBool(r.IoT.ProvinceApproval), fmtBool(r.IoT.GroupApproval),
	)
	if w.labels {
		w.row = append(w.row, strconv.FormatBool(l.Fraud), l.Scenario)
	}
	return w.cw.Write(w.row)
}

// Flush writes any buffered data and reports a write error.
func (w *CSVWriter) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}
