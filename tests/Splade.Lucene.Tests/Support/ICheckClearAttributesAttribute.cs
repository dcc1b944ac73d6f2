using Lucene.Net.Util;

namespace Splade.Lucene.Tests.Support;

/// <summary>Records whether <c>ClearAttributes()</c> was called (as in Lucene's BaseTokenStreamTestCase).</summary>
public interface ICheckClearAttributesAttribute : IAttribute
{
    bool GetAndResetClearCalled();
}
