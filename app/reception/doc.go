// Package reception writes the files clinics' reception systems (レセコン,
// 電子カルテ) read, in the layout of the qualification terminal's 連携アプリ:
//
//	<Root>/face/OQSsiquc01res_face_<time>_<kiosk>_<counter>.xml  one per session that reached the eligibility system
//	<Root>/req/OQSsiquc01req_<anything>.xml                      checks by insured number, written by the reception system
//	<Root>/res/OQSsiquc01res_<anything>.xml                      their answers, under the request's name with req → res
//
// Every file is XmlMsg > MessageHeader + MessageBody > ResultList >
// exactly one ResultOfQualificationConfirmation, in UTF-8
// (CharacterCodeIdentifier 0) or Shift_JIS (1, CP932), with codes only from
// the reference's tables. docs/reception-files.md lists every field.
//
// # API for the wiring
//
// The session's eligibility adapter, once per session that reached (or
// tried to reach) the eligibility system, after the consent and
// prescription screens (the file carries their answers):
//
//	w, err := reception.NewWriter(reception.WriterConfig{Root: cfg.ReceptionDir,
//		StateDir: cfg.StateDir, KioskID: cfg.KioskID, Institution: cfg.Institution,
//		Encoding: enc}) // enc, err := reception.ParseEncoding(cfg.ResultEncoding)
//	written, err := w.Write(res, reception.Facts{ // res: *eligibility.Result, nil if the check failed
//		Method: reception.MethodFace, // session.MethodFace/PIN/Staff → MethodFace/PIN/Staff
//		At:     checkedAt,
//		Consents: reception.Consents{ // a zero At: not asked, left out of the file
//			Diagnosis: reception.Consent{Given: items.Has(session.ConsentMedical), At: t},
//			Drug:      reception.Consent{Given: items.Has(session.ConsentDrug), At: t},
//			Surgery:   reception.Consent{Given: items.Has(session.ConsentSurgery), At: t},
//			Checkups:  reception.Consent{Given: items.Has(session.ConsentCheckup), At: t},
//			Limit:     reception.Consent{Given: limitConsent, At: t},    // 限度額適用認定証
//			Diseases:  reception.Consent{Given: diseasesConsent, At: t}, // 特定疾病療養受療証
//		},
//		Prescription: reception.PrescriptionElectronic, // or PrescriptionPaper; PrescriptionUnasked leaves it out
//		Err:          checkErr,                         // the service down or refusing: an error result (SegmentOfResult 9)
//		Known:        reception.Patient{...},           // for an error result: what the kiosk knows (may stay empty)
//	})
//	written.Audit(auditSession) // encoding, count of 〓 replacements, dropped codes: no text
//
// Write may be called from several goroutines. An error from Write is a *FolderError matching ErrDiskFull,
// ErrFolderMissing, ErrFolderDenied or ErrFolder (errors.Is): nothing was
// written; show the staff screen and call Write again with the same
// arguments when the folder is back.
//
// The req/ → res/ service, one per kiosk, beside the session:
//
//	svc, err := reception.NewService(reception.ServiceConfig{Root: ..., StateDir: ...,
//		KioskID: ..., Institution: ..., Encoding: enc, Lookup: eligibilityClient,
//		Retention: 14 * 24 * time.Hour, Audit: recorder, OnError: showStaffScreen})
//	go svc.Run(ctx)
//
// Run answers each request exactly once, also across a restart in the
// middle of one (a journal in StateDir/reqres), answers a malformed request
// with SegmentOfResult 9 and an ErrorMessage naming the element, and once
// a day deletes this kiosk's face/ files and res/ answers older than
// Retention. Lookup is anything with CheckByInsurance
// (*eligibility.Client).
//
// Lower-level pieces: Build and Answer make a Document, Encode renders it
// (counting the characters the encoding could not hold), ParseRequest reads
// a req/ file (typed *RequestError), ReadDocument reads a result back.
//
// Patient names, readings and birth dates go only into the files: errors
// name folders, steps and elements, and audit events carry counts.
package reception
