extension Duration {
    /// Seconds as a floating-point number: for reports and for timeout(1).
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
