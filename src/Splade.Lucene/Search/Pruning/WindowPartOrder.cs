namespace Splade.Lucene.Search;

/// <summary>
/// The per-window ordering of the windowed MaxScore scorers (<see cref="SpladeMaxScoreBulkScorer"/> and the hybrid
/// one): the parts present in a window sorted by their bound.
/// </summary>
internal static class WindowPartOrder
{
    /// <summary>
    /// Sorts the parts present in the window (<c>keys[part] &gt;= 0</c>) by key into <paramref name="itemKeys"/> /
    /// <paramref name="items"/>; returns their number. Bounds change little from one window to the next, so the parts
    /// are laid out in the previous window's order and insertion-sorted (close to linear); <paramref name="order"/> keeps
    /// every part, absent ones last, for the next window. Equal keys keep that order.
    /// </summary>
    public static int Sort(double[] keys, int[] order, double[] itemKeys, int[] items)
    {
        int m = 0;
        for (int j = 0; j < order.Length; j++)
        {
            int item = order[j];
            double key = keys[item];
            if (key < 0)
            {
                continue;
            }
            int k = m++;
            while (k > 0 && itemKeys[k - 1] > key)
            {
                itemKeys[k] = itemKeys[k - 1];
                items[k] = items[k - 1];
                k--;
            }
            itemKeys[k] = key;
            items[k] = item;
        }
        if (m < order.Length)
        {
            int a = m;
            for (int j = 0; j < order.Length; j++)
            {
                if (keys[order[j]] < 0)
                {
                    items[a++] = order[j];
                }
            }
        }
        Array.Copy(items, order, order.Length);
        return m;
    }
}
