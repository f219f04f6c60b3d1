package risk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// referenceDecode is the encoding/json decoder the fast one must agree with.
func referenceDecode(data []byte) (*Record, error) {
	r := new(Record)
	err := r.decodeReference(data)
	return r, err
}

// foldedOrRepeated reports whether data has a key encoding/json would
// match differently from the fast decoder (a non-ASCII key, which
// encoding/json may fold to a schema key) or a key repeated in one object,
// in any case (which the fast decoder rejects and encoding/json lets win).
func foldedOrRepeated(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj  bool
		keys map[string]bool
		key  bool // the next token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].key = true
				}
				continue
			}
			k := tok.(string)
			for i := 0; i < len(k); i++ {
				if k[i] >= 0x80 {
					return true
				}
			}
			k = strings.ToLower(k)
			if top.keys[k] {
				return true
			}
			top.keys[k] = true
			top.key = false
			continue
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, key: true})
			continue
		case '[':
			stack = append(stack, &frame{})
			continue
		case ']':
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].key = true
		}
	}
}

func sameRecords(a, b *Record) bool {
	ja, jb := a.AppendJSON(nil), b.AppendJSON(nil)
	return string(ja) == string(jb) && (a.Roaming == nil) == (b.Roaming == nil) &&
		(a.LinkedPlatforms == nil) == (b.LinkedPlatforms == nil)
}

var scanSeeds = []string{
	`{"msisdn":"13800138000","operator":"cmcc","opened_at":"2024-03-01","holder":"h-7f3a","last_voice_at":"2026-06-01","last_sms_at":"2026-05-20","last_data_at":null,"open_region":"110105","roaming":[{"region":"KH","last_seen":"2026-10-30"}],"alerts_30d":4}`,
	`{"msisdn":"1440123456789","opened_at":"2024-03-01T10:00:00+08:00","iot":{"test_plan":true,"business":"new","handler_verified":false},"linked_platforms":["jd","tencent"],"recycled":true,"label":{"fraud":true,"scenario":"x"}}`,
	`{"msisdn":"13800138000","complaints":"3"}`, `{"msisdn":"13800138000","complaints":1.5}`, `{"msisdn":"13800138000","complaints":1e2}`,
	`{"msisdn":"13800138000","roaming":[{}]}`, `{"msisdn":"13800138000","roaming":[null]}`, `{"msisdn":"13800138000","roaming":null}`,
	`{"msisdn":"\u0031\u0033\ud83d\ude00","holder":"a\"b\\c\/d\n","mvno":"蜗牛移动"}`, `{"msisdn":"x","mvno":"\xff\xfe"}`,
	`null`, `[1,2]`, `{"msisdn":null}`, `{"msisdn":"1",}`, `{"msisdn":"1"} x`, `{"msisdn":"1","iot":{"x":[1,{"y":null}]},"z":-0.5e-3}`,
	`{"msisdn":"1","iot":null,"iot":{"test_plan":true}}`, `{"msisdn":"1","opened_at":"2024-03-01","opened_at":null}`,
	`{"msisdn":"1","linked_platforms":[null,"a"]}`, `{"msisdn":"1","recycled":null,"renewed":1}`, `{"msisdn":"1","complaints":99999999999999999999}`,
	`  {"msisdn" : "1" , "alerts_30d" : -3 }  `, `{"msisdn":"1","roaming":[{"region":"KH","region":null}]}`, `{"msisdn":"\ud800"}`,
}

// FuzzDecodeFastMatchesReference: the fast decoder accepts exactly what
// encoding/json accepts, with the same record.
func FuzzDecodeFastMatchesReference(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// the general walk alone (no plain walk first): the same errors,
		// unknown keys and record, whatever the keys
		{
			plainWalk = false
			general := new(Record)
			var generalKeys, plainKeys []string
			errGeneral := general.decodeFastText(data, string(data), func(k string) { generalKeys = append(generalKeys, k) })
			plainWalk = true
			plain := new(Record)
			errPlain := plain.decodeFastText(data, string(data), func(k string) { plainKeys = append(plainKeys, k) })
			if fmt.Sprint(errGeneral) != fmt.Sprint(errPlain) || fmt.Sprint(generalKeys) != fmt.Sprint(plainKeys) || !sameRecords(general, plain) {
				t.Fatalf("%q: general walk %v %q, with the plain one %v %q", data, errGeneral, generalKeys, errPlain, plainKeys)
			}
		}
		if foldedOrRepeated(data) {
			return
		}
		fast := new(Record)
		var keys, textKeys []string
		errFast := fast.decodeFast(data, func(k string) { keys = append(keys, k) })
		// from the line as a string (values and keys cut from it): the same
		text := new(Record)
		errText := text.decodeFastText(data, string(data), func(k string) { textKeys = append(textKeys, k) })
		if fmt.Sprint(errFast) != fmt.Sprint(errText) || fmt.Sprint(keys) != fmt.Sprint(textKeys) || errFast == nil && !sameRecords(fast, text) {
			t.Fatalf("%q: from bytes %v %q, from text %v %q", data, errFast, keys, errText, textKeys)
		}
		ref, errRef := referenceDecode(data)
		if (errFast == nil) != (errRef == nil) {
			t.Fatalf("%q: fast %v, reference %v", data, errFast, errRef)
		}
		if errFast == nil && !sameRecords(fast, ref) {
			t.Fatalf("%q:\nfast %s\nref  %s", data, fast.AppendJSON(nil), ref.AppendJSON(nil))
		}
	})
}
