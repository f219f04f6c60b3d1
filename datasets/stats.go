package datasets

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// Stats describes a card population: what `simrisk gen --stats` prints.
type Stats struct {
	Cards, Rejected int
	Holders         int
	AsOf            risk.Time      // what dormancy was judged against
	HolderHist      map[string]int // holders by cards held: 1, 2, 3, 4, 5, 6-10, 11-50, 51+
	ByOperator      map[string]int // cards per current operator ("mvno" for MVNO brands)
	ByKind          map[string]int
	ByScenario      map[string]int // from labels, when the file has them
	Fraud           int            // cards labelled fraud
	Dormant         int            // valid cards with no voice, SMS or data for 90+ days (from opening when never used)
	Recycled        int
	Roaming         int // cards with at least one roaming entry
	Cancelled       int
	MVNO            int
}

// HolderBuckets returns the keys of Stats.HolderHist, in order (1 … 5,
// 6-10, 11-50, 51+), a new slice on each call.
func HolderBuckets() []string { return slices.Clone(holderBuckets) }

var holderBuckets = []string{"1", "2", "3", "4", "5", "6-10", "11-50", "51+"}

func holderBucket(n int) string {
	switch {
	case n <= 5:
		return holderBuckets[n-1]
	case n <= 10:
		return "6-10"
	case n <= 50:
		return "11-50"
	}
	return "51+"
}

// statCard is what the statistics keep of one card: its last record's
// state (one card, one count, as score counts it).
type statCard struct {
	holder                                string
	scenario, operator, kind              string // interned: a population has a few of each
	lastDay                               int32  // CST day of last activity, or of opening when never used
	fraud, mvno, recycled, roaming, valid bool
}

// ComputeStats reads a whole population. Dormancy is judged at asOf, or,
// when asOf is zero, at the latest date found in the file (a snapshot's
// as-of time). A card listed twice counts once, in its last record's
// state, as score counts it; the earlier records count as neither cards
// nor rejects.
func ComputeStats(rd RecordReader, asOf risk.Time) (*Stats, error) {
	s := &Stats{HolderHist: map[string]int{}, ByOperator: map[string]int{}, ByKind: map[string]int{}, ByScenario: map[string]int{}}
	cards := map[string]statCard{}
	names := map[string]string{}
	intern := func(v string) string {
		if n, ok := names[v]; ok {
			return n
		}
		v = strings.Clone(v)
		names[v] = v
		return v
	}
	latest := risk.Time(0)
	for {
		r, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rej *Reject
		if errors.As(err, &rej) {
			s.Rejected++
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, t := range []risk.Time{r.OpenedAt, r.LastVoiceAt, r.LastSMSAt, r.LastDataAt, r.VerifyRequiredAt, r.VerifiedAt} {
			latest = max(latest, t)
		}
		l := rd.Label()
		// copies: a record's strings may hold its whole line in memory
		c := statCard{scenario: intern(l.Scenario), fraud: l.Fraud, operator: intern(r.Operator), kind: intern(r.Kind), holder: strings.Clone(r.Holder),
			mvno: r.MVNO != "", recycled: r.Recycled, roaming: len(r.Roaming) > 0, valid: r.Valid()}
		last := r.LastActivity()
		if last == 0 {
			last = r.OpenedAt
		}
		c.lastDay = int32(last.Day())
		if _, seen := cards[r.MSISDN]; seen {
			cards[r.MSISDN] = c
		} else {
			cards[strings.Clone(r.MSISDN)] = c
		}
	}
	if asOf == 0 {
		asOf = latest
	}
	s.AsOf = asOf
	holders := map[string]int32{}
	for _, c := range cards {
		s.Cards++
		if c.scenario != "" {
			s.ByScenario[c.scenario]++
		}
		if c.fraud {
			s.Fraud++
		}
		if c.mvno {
			s.MVNO++
			s.ByOperator["mvno"]++
		} else {
			s.ByOperator[c.operator]++
		}
		s.ByKind[c.kind]++
		if c.recycled {
			s.Recycled++
		}
		if c.roaming {
			s.Roaming++
		}
		if !c.valid {
			s.Cancelled++
			continue
		}
		if c.holder != "" {
			holders[c.holder]++
		} else {
			s.HolderHist["1"]++
			s.Holders++
		}
		if asOf.Day()-int(c.lastDay) >= 90 {
			s.Dormant++
		}
	}
	for _, n := range holders {
		s.HolderHist[holderBucket(int(n))]++
	}
	s.Holders += len(holders)
	return s, nil
}

func pct(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(d))
}

// Format writes the statistics as a readable report.
func (s *Stats) Format(w io.Writer) {
	asOf := "-"
	if s.AsOf != 0 {
		asOf = s.AsOf.String()
	}
	fmt.Fprintf(w, "cards %d (rejected %d), holders with valid cards %d, judged as of %s\n\n", s.Cards, s.Rejected, s.Holders, asOf)
	fmt.Fprintln(w, "valid cards per holder")
	for _, b := range holderBuckets {
		bar := 0
		if s.Holders > 0 {
			bar = (s.HolderHist[b]*40 + s.Holders - 1) / s.Holders
		}
		fmt.Fprintf(w, "  %-6s %9d holders  %s  %s\n", b, s.HolderHist[b], pct(s.HolderHist[b], s.Holders), strings.Repeat("#", bar))
	}
	fmt.Fprintln(w, "\nshares of cards")
	for _, row := range []struct {
		name string
		n    int
	}{{"dormant (90+ days, valid)", s.Dormant}, {"IoT", s.ByKind["iot"]}, {"data cards", s.ByKind["data_card"]},
		{"MVNO", s.MVNO}, {"recycled", s.Recycled}, {"roaming", s.Roaming}, {"cancelled", s.Cancelled},
		{"labelled fraud", s.Fraud}} {
		fmt.Fprintf(w, "  %-26s %9d  %s\n", row.name, row.n, pct(row.n, s.Cards))
	}
	fmt.Fprintln(w, "\ncards per operator")
	for _, op := range []string{"cmcc", "unicom", "telecom", "broadnet", "mvno"} {
		fmt.Fprintf(w, "  %-26s %9d  %s\n", op, s.ByOperator[op], pct(s.ByOperator[op], s.Cards))
	}
	if len(s.ByScenario) > 0 {
		fmt.Fprintln(w, "\ncards per scenario")
		names := make([]string, 0, len(s.ByScenario))
		for n := range s.ByScenario {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { // ties by name: the same file prints the same report
			return s.ByScenario[names[i]] > s.ByScenario[names[j]] || s.ByScenario[names[i]] == s.ByScenario[names[j]] && names[i] < names[j]
		})
		for _, n := range names {
			fmt.Fprintf(w, "  %-26s %9d  %s\n", ref.MaskText(n), s.ByScenario[n], pct(s.ByScenario[n], s.Cards)) // a label is free text
		}
	}
}
