package vcard

import "github.com/uketsuke/uketsuke/app/tlv"

// Placeholder AIDs of the next-generation card (次期個人番号カード) and its
// two applications. The real ones are not public yet: these are this
// project's own choice, under today's two RIDs (J-LIS issues both
// generations) so that the kiosk's probe has something to find. No
// specification defines them; replace them once one does.
var (
	AIDNextAuth = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x02, 0x00, 0x00, 0x00, 0x01} // 認証AP(仮): placeholder
	AIDNextFace = []byte{0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x02, 0x01, 0x00, 0x01} // 券面等AP(仮): placeholder
)

// nextGenerationApps are a next-generation card's applications as far as
// anyone outside knows them: they answer SELECT, full or partial, and hold
// no file, credential or key.
func nextGenerationApps() []*application {
	return []*application{newApp("認証AP(仮)", AIDNextAuth), newApp("券面等AP(仮)", AIDNextFace)}
}

// fci is the answer to a SELECT that asks for control information: the
// application's name (84) in an FCI template (6F).
func fci(aid []byte) []byte {
	return tlv.Append(nil, 0x6F, tlv.Append(nil, 0x84, aid))
}
