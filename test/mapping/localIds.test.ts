import { describe, expect, it } from "vitest";
import { withoutLocalIds } from "../../shared/mapping/localIds";

describe("withoutLocalIds", () => {
  it("drops ac:local-id and local-id from start tags only, leaving text, CDATA and other attributes alone", () => {
    const storage =
      '<table ac:local-id="t1" data-layout="default"><tbody><tr ac:local-id="r1"><td ac:local-id=\'c1\'>' +
      '<p local-id="p1" style="text-align: left;">a local-id="x" stays</p></td></tr></tbody></table>' +
      '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<p local-id="y">]]></ac:plain-text-body></ac:structured-macro>' +
      '<br local-id="b1"/>';
    expect(withoutLocalIds(storage)).toBe(
      '<table data-layout="default"><tbody><tr><td>' +
        '<p style="text-align: left;">a local-id="x" stays</p></td></tr></tbody></table>' +
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<p local-id="y">]]></ac:plain-text-body></ac:structured-macro>' +
        "<br/>",
    );
  });

  it("answers storage without local ids, or that does not parse, as it is", () => {
    expect(withoutLocalIds("<p>plain</p>")).toBe("<p>plain</p>");
    expect(withoutLocalIds('<p local-id="a">unclosed')).toBe('<p local-id="a">unclosed');
  });
});
