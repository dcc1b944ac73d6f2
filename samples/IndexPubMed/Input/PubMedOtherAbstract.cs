namespace IndexPubMed.Input;

/// <summary>
/// An <c>OtherAbstract</c>: a publisher's abstract in another language or a plain-language
/// summary, kept apart from the main (normally English) abstract.
/// </summary>
/// <param name="Type">The <c>Type</c> attribute, e.g. "Publisher" or "plain-language-summary"; empty when absent.</param>
/// <param name="Language">The <c>Language</c> attribute (ISO 639-2, e.g. "ger"); empty when absent.</param>
/// <param name="Text">The text, formatted like <see cref="PubMedArticle.Abstract"/>.</param>
public sealed record PubMedOtherAbstract(string Type, string Language, string Text);
