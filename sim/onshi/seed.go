package onshi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Kind is what a synthetic holder's first record answers by insurance number.
type Kind int

// The kinds of synthetic holder the seed produces, so every
// QualificationValidity state is reachable.
const (
	KindValid          Kind = iota // 1 有効
	KindInvalid                    // 2 無効
	KindInvalidNew                 // 3 無効·新資格あり (first record lost, a new one exists)
	KindDuplicate                  // 5 複数該当 by number (the insurer registered the holder twice)
	KindUnregistered               // 6 有効·未登録 (not yet linked for card use)
	KindDoubleEnrolled             // two records in force: 5 複数該当 by card
)

// Population is a deterministic set of N synthetic insured people: person i is
// the same for the same seed, so tools can pick people without the database.
type Population struct {
	Seed uint64
	N    int
}

// SeedPerson is one synthetic holder and their insurance records.
type SeedPerson struct {
	Kind                                  Kind
	Name, Kana, Sex, Birth, Address, Post string
	Records                               []SeedRecord
}

// SeedRecord is one insurance qualification.
type SeedRecord struct {
	Insurer, Symbol, Number, Branch            string
	CardClass, FamilyClass, QualDate, DisqDate string
	Ratio, Elderly, LimitClass, Diseases       string
	Linkable                                   bool
}

var (
	familyNames = [][2]string{{"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"},
		{"伊藤", "イトウ"}, {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"},
		{"加藤", "カトウ"}, {"吉田", "ヨシダ"}, {"山田", "ヤマダ"}, {"佐々木", "ササキ"}, {"山口", "ヤマグチ"},
		{"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"}, {"林", "ハヤシ"}, {"斎藤", "サイトウ"},
		{"清水", "シミズ"}, {"髙橋", "タカハシ"}, {"𠮷田", "ヨシダ"}, {"渡邊", "ワタナベ"}, {"齋藤", "サイトウ"}}
	givenNames = [][3]string{{"太郎", "タロウ", "1"}, {"花子", "ハナコ", "2"}, {"一郎", "イチロウ", "1"},
		{"陽子", "ヨウコ", "2"}, {"翔太", "ショウタ", "1"}, {"美咲", "ミサキ", "2"}, {"健", "ケン", "1"},
		{"結衣", "ユイ", "2"}, {"大輔", "ダイスケ", "1"}, {"さくら", "サクラ", "2"}, {"蓮", "レン", "1"},
		{"葵", "アオイ", "2"}, {"誠", "マコト", "1"}, {"恵子", "ケイコ", "2"}}
	places = [][2]string{{"東京都千代田区霞が関二丁目", "1000013"}, {"大阪府大阪市北区梅田一丁目", "5300001"},
		{"北海道札幌市中央区北一条西二丁目", "0600001"}, {"福岡県福岡市博多区博多駅前三丁目", "8120011"},
		{"愛知県名古屋市中村区名駅四丁目", "4500002"}, {"宮城県仙台市青葉区国分町三丁目", "9800803"},
		{"沖縄県那覇市泉崎一丁目", "9000021"}, {"広島県広島市中区基町", "7300011"}}
	limitClasses = []string{"", "", "", "A01", "A02", "A03", "A04", "A05"}
)

// insurerCount is how many synthetic insurers exist; their numbers are 8 digits.
const insurerCount = 150

func insurerNumber(k int) string { return fmt.Sprintf("%02d%06d", 1+k%47, 130000+k) }

func insurerName(k int) string { return fmt.Sprintf("架空健康保険組合%03d", k) }

// A 市町村国保's insurer number has six digits (the prefecture and the
// municipality), which is how reception systems tell 国保 apart.
func kokuhoNumber(pref int) string { return fmt.Sprintf("%02d0016", pref) }

func kokuhoName(pref int) string { return fmt.Sprintf("架空市国民健康保険%02d", pref) }

// Each prefecture's 後期高齢者医療広域連合 has an insurer number starting 39,
// which is how reception systems tell 後期高齢 apart.
func koukiNumber(pref int) string { return fmt.Sprintf("39%02d1001", pref) }

func koukiName(pref int) string {
	return fmt.Sprintf("架空後期高齢者医療広域連合%02d", pref)
}

// koukiRatios are the 後期高齢 負担割合 (1, 2 and 3 割), in percent.
var koukiRatios = []string{"010", "020", "030"}

// Person returns synthetic holder i (0 ≤ i < N).
func (p Population) Person(i int) SeedPerson {
	rng := rand.New(rand.NewPCG(p.Seed, uint64(i)))
	fam := familyNames[rng.IntN(len(familyNames))]
	giv := givenNames[rng.IntN(len(givenNames))]
	place := places[rng.IntN(len(places))]
	birth := time.Date(1930+rng.IntN(94), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
	sp := SeedPerson{
		Kind: kindOf(i), Name: fam[0] + "　" + giv[0], Kana: fam[1] + "　" + giv[1], Sex: giv[2],
		Birth: birth.Format("20060102"), Address: fmt.Sprintf("%s%d番%d号", place[0], 1+rng.IntN(20), 1+rng.IntN(30)),
		Post: place[1],
	}
	first := p.record(rng, i, 0, birth)
	switch sp.Kind {
	case KindInvalid:
		first.DisqDate = "20250331"
	case KindInvalidNew:
		first.DisqDate = "20250331"
		second := p.record(rng, i, 1, birth)
		second.QualDate = "20250401"
		sp.Records = append(sp.Records, first, second)
		return sp
	case KindUnregistered:
		first.Linkable = false
	case KindDoubleEnrolled:
		sp.Records = append(sp.Records, first, p.record(rng, i, 1, birth))
		return sp
	}
	sp.Records = append(sp.Records, first)
	return sp
}

func kindOf(i int) Kind {
	switch m := i % 100; {
	case m < 3:
		return KindInvalid
	case m < 6:
		return KindInvalidNew
	case m < 9:
		return KindUnregistered
	case m == 9:
		return KindDuplicate
	case m == 10:
		return KindDoubleEnrolled
	}
	return KindValid
}

func (p Population) record(rng *rand.Rand, i, n int, birth time.Time) SeedRecord {
	k := rng.IntN(insurerCount)
	// Qualified on a day between birth (or April 2000) and March 2025, so
	// records stay in force whatever day the stand-in runs.
	from := time.Date(2000, 4, 1, 0, 0, 0, 0, time.UTC)
	if birth.After(from) {
		from = birth
	}
	span := int(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Sub(from).Hours() / 24)
	qual := from.AddDate(0, 0, rng.IntN(max(span, 1)))
	r := SeedRecord{
		Insurer: insurerNumber(k), Symbol: fmt.Sprintf("%04d", rng.IntN(10000)),
		Number: fmt.Sprintf("%08d", i*4+n), Branch: fmt.Sprintf("%02d", rng.IntN(3)),
		CardClass: "01", FamilyClass: fmt.Sprint(1 + rng.IntN(2)), QualDate: qual.Format("20060102"),
		Ratio: "030", LimitClass: limitClasses[rng.IntN(len(limitClasses))], Linkable: true,
	}
	if age := 2025 - birth.Year(); age >= 75 {
		// 後期高齢者医療: the prefecture's 広域連合, a 1, 2 or 3 割 ratio
		r.Insurer, r.Ratio, r.Elderly = koukiNumber(1+k%47), koukiRatios[i%3], "後期高齢者"
		r.FamilyClass = "1" // everyone is insured in their own right
	} else if age >= 70 {
		r.Ratio, r.Elderly = "020", "高齢受給者"
	}
	if r.Elderly != "後期高齢者" && k%4 == 0 {
		// 国保: a quarter of those under 75; no family members, each is insured
		r.Insurer, r.FamilyClass = kokuhoNumber(1+k%47), "1"
	}
	if rng.IntN(200) == 0 {
		r.Diseases = "人工透析を要する慢性腎不全"
	}
	return r
}

// Seed fills the database with the population, in batched transactions.
// Re-seeding the same database adds nothing: existing people are skipped.
func (s *Store) Seed(ctx context.Context, pop Population) error {
	if err := s.seedInsurers(ctx); err != nil {
		return err
	}
	if done, err := s.seeded(ctx, pop); err != nil || done {
		return err
	}
	const batch = 10000
	for start := 0; start < pop.N; start += batch {
		if err := s.seedBatch(ctx, pop, start, min(start+batch, pop.N)); err != nil {
			return err
		}
	}
	return nil
}

// seeded reports whether the population's last person is already there.
func (s *Store) seeded(ctx context.Context, pop Population) (bool, error) {
	if pop.N == 0 {
		return true, nil
	}
	var one int
	err := s.rd.QueryRowContext(ctx, `SELECT 1 FROM person WHERE id = ?`, PersonID(pop.N-1)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (s *Store) seedInsurers(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO insurer(number, name) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for k := range insurerCount {
			if _, err := st.ExecContext(ctx, insurerNumber(k), insurerName(k)); err != nil {
				return err
			}
		}
		for p := 1; p <= 47; p++ {
			if _, err := st.ExecContext(ctx, koukiNumber(p), koukiName(p)); err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, kokuhoNumber(p), kokuhoName(p)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Person ids are 2i+1 and, for a duplicate's second registration, 2i+2, so
// reseeding finds them again.
func (s *Store) seedBatch(ctx context.Context, pop Population, from, to int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		person, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO person(id, name, kana, sex, birth, address, post)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer person.Close()
		qual, err := tx.PrepareContext(ctx, `INSERT INTO qualification(person_id, insurer, symbol, number, branch,
			card_class, family_class, qual_date, disq_date, ratio, elderly, limit_class, diseases, linkable)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer qual.Close()
		for i := from; i < to; i++ {
			sp := pop.Person(i)
			ids := []int64{PersonID(i)}
			if sp.Kind == KindDuplicate {
				ids = append(ids, PersonID(i)+1)
			}
			for _, id := range ids {
				res, err := person.ExecContext(ctx, id, sp.Name, sp.Kana, sp.Sex, sp.Birth, sp.Address, sp.Post)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue // already seeded
				}
				for _, r := range sp.Records {
					if _, err := qual.ExecContext(ctx, id, r.Insurer, r.Symbol, r.Number, r.Branch, r.CardClass,
						r.FamilyClass, r.QualDate, r.DisqDate, r.Ratio, r.Elderly, r.LimitClass, r.Diseases, r.Linkable); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// PersonID is the database id of synthetic holder i.
func PersonID(i int) int64 { return int64(i)*2 + 1 }

// inTx runs fn in one write transaction (BEGIN IMMEDIATE on the writer).
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.wr.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
