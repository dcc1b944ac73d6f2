using Lucene.Net.Documents;
using Lucene.Net.Util;

namespace IndexPubMed.Indexing;

/// <summary>
/// The document of a precomputed vector whose id is not in the index yet: the fields of
/// <c>PubMedSchema.CreateDocument(StoredArticle.FromText(id, "", ""))</c>, made once and given the next id each
/// time (Lucene's field reuse), since new fields per vector cost each its own token stream. Not thread safe: the
/// writer uses it, one document at a time, and the document is consumed by the time the writer returns.
/// </summary>
internal sealed class VectorOnlyDocument
{
    private readonly StringField _id = new(PubMedSchema.Id, "", Field.Store.YES);
    private readonly SortedDocValuesField _sortedId = new(PubMedSchema.Id, new BytesRef());
    private readonly TextField _title = new(PubMedSchema.Title, "", Field.Store.YES);
    private readonly TextField _abstract = new(PubMedSchema.Abstract, "", Field.Store.YES);
    private readonly TextField _contents = new(PubMedSchema.Contents, Indexing.Bm25Index.Contents("", ""), Field.Store.NO);

    /// <summary>A new document (add the SPLADE field to it) of the shared fields, now holding <paramref name="id"/>.</summary>
    public Document Document(string id)
    {
        _id.SetStringValue(id);
        _sortedId.SetBytesValue(new BytesRef(id));
        return [_id, _sortedId, _title, _abstract, _contents];
    }
}
