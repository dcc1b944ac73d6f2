using Lucene.Net.Util;

namespace Splade.Lucene.Tests.Support;

public sealed class CheckClearAttributesAttribute : global::Lucene.Net.Util.Attribute, ICheckClearAttributesAttribute
{
    private bool _clearCalled;

    public bool GetAndResetClearCalled()
    {
        bool called = _clearCalled;
        _clearCalled = false;
        return called;
    }

    public override void Clear() => _clearCalled = true;

    public override void CopyTo(IAttribute target) => ((CheckClearAttributesAttribute)target)._clearCalled = _clearCalled;

    public override void ReflectWith(IAttributeReflector reflector) => reflector.Reflect<ICheckClearAttributesAttribute>("clearCalled", _clearCalled);
}
