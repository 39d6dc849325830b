//! The reference ResNet family reproduces the figures of REFERENCE.md exactly: every parameter
//! and buffer count, the CIFAR ResNets, option-B projection shortcuts, the plain networks, VGG's
//! FC layers, and the stage tables.

use lessonlint::reference::{find_model, stage_table, with_reference, Structure, MODELS};

/// (parameters, buffers) of a registry model.
fn figures(name: &str) -> (i64, i64) {
    let spec = find_model(name).expect("model in the registry");
    with_reference(|r| {
        let m = r.build(spec)?;
        Ok((r.parameters(&m).unwrap_or(-1), r.buffers(&m).unwrap_or(-1)))
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn structure(name: &str) -> Structure {
    let spec = find_model(name).expect("model in the registry");
    with_reference(|r| {
        let m = r.build(spec)?;
        r.structure(&m)
    })
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn imagenet_resnets_parameters_and_buffers() {
    assert_eq!(figures("resnet18"), (11_689_512, 9_620));
    assert_eq!(figures("resnet34"), (21_797_672, 17_060));
    assert_eq!(figures("resnet50"), (25_557_032, 53_173));
    assert_eq!(figures("resnet101"), (44_549_160, 105_448));
    assert_eq!(figures("resnet152"), (60_192_808, 151_579));
}

#[test]
fn resnext_and_wide_resnet() {
    assert_eq!(figures("resnext50_32x4d"), (25_028_904, 68_277));
    assert_eq!(figures("wide_resnet50_2"), (68_883_240, 68_277));
}

#[test]
fn vgg16_parameters_and_fc_layers() {
    assert_eq!(figures("vgg16"), (138_357_544, 0));
    let s = structure("vgg16");
    assert_eq!(s.convs, 13);
    assert_eq!(s.linears.len(), 3);
    assert_eq!(s.linears[0].in_features, 25_088);
    assert_eq!(s.linears[0].out_features, 4_096);
    assert_eq!(s.linears[0].parameters, 102_764_544);
    assert_eq!(s.linear_parameters(), 123_642_856);
    assert_eq!(s.depth(), 16);
}

#[test]
fn cifar_resnets_option_a() {
    assert_eq!(figures("resnet20").0, 269_722);
    assert_eq!(figures("resnet32").0, 464_154);
    assert_eq!(figures("resnet44").0, 658_586);
    assert_eq!(figures("resnet56").0, 853_018);
    assert_eq!(figures("resnet110").0, 1_727_962);
    assert_eq!(figures("resnet1202").0, 19_421_274);
}

#[test]
fn cifar_resnet_option_b_projection() {
    assert_eq!(figures("resnet20_b").0, 272_474);
    let s = structure("resnet20_b");
    assert_eq!(s.shortcut_convs, 2);
    assert_eq!(s.depth(), 20);
}

#[test]
fn plain_networks_match_option_a_parameters() {
    // Option-A shortcuts have no parameters, so a plain network has exactly as many.
    assert_eq!(figures("plain20").0, 269_722);
    assert_eq!(figures("plain56").0, 853_018);
    assert_eq!(figures("plain110").0, 1_727_962);
}

#[test]
fn depth_in_the_name_is_the_number_of_weighted_layers() {
    for spec in MODELS {
        if spec.name == "resnet1202" {
            continue; // covered by the parameter count; slow in debug builds
        }
        let s = structure(spec.name);
        assert_eq!(s.depth(), spec.depth, "{}", spec.name);
    }
}

#[test]
fn block_counts() {
    assert_eq!(
        structure("resnet18").blocks,
        vec![("BasicBlock".to_string(), 8)]
    );
    assert_eq!(
        structure("resnet34").blocks,
        vec![("BasicBlock".to_string(), 16)]
    );
    assert_eq!(
        structure("resnet50").blocks,
        vec![("Bottleneck".to_string(), 16)]
    );
    assert_eq!(structure("resnet101").block_count(), 33);
    assert_eq!(structure("resnet152").block_count(), 50);
    assert_eq!(
        structure("resnet56").blocks,
        vec![("CifarBasicBlock".to_string(), 27)]
    );
    assert_eq!(
        structure("plain20").blocks,
        vec![("PlainBlock".to_string(), 9)]
    );
}

#[test]
fn resnet50_stage_table() {
    let spec = find_model("resnet50").unwrap();
    let (rows, params, buffers) = stage_table(spec, Some(&[1, 3, 224, 224])).unwrap();
    let got: Vec<(&str, Vec<i64>, i64)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.output.clone(), r.parameters))
        .collect();
    assert_eq!(
        got,
        vec![
            ("stem", vec![1, 64, 56, 56], 9_536),
            ("layer1", vec![1, 256, 56, 56], 215_808),
            ("layer2", vec![1, 512, 28, 28], 1_219_584),
            ("layer3", vec![1, 1024, 14, 14], 7_098_368),
            ("layer4", vec![1, 2048, 7, 7], 14_964_736),
            ("avgpool", vec![1, 2048], 0),
            ("fc", vec![1, 1000], 2_049_000),
        ]
    );
    assert_eq!(rows.iter().map(|r| r.parameters).sum::<i64>(), 25_557_032);
    assert_eq!((params, buffers), (25_557_032, 53_173));
}

#[test]
fn stages_compose_to_the_forward_pass() {
    for name in [
        "resnet18",
        "resnet56",
        "plain20",
        "vgg16",
        "resnext50_32x4d",
    ] {
        let spec = find_model(name).unwrap();
        let input = spec.input;
        let (rows, params, _) = stage_table(spec, None).unwrap();
        let out = with_reference(|r| {
            let m = r.build(spec)?;
            r.output_shape(&m, &input)
        })
        .unwrap();
        assert_eq!(rows.last().map(|r| r.output.clone()), Some(out), "{name}");
        assert_eq!(
            rows.iter().map(|r| r.parameters).sum::<i64>(),
            params,
            "{name}"
        );
    }
}

#[test]
fn vgg16_stage_table_shapes() {
    let spec = find_model("vgg16").unwrap();
    let (rows, _, _) = stage_table(spec, Some(&[2, 3, 224, 224])).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["block1", "block2", "block3", "block4", "block5", "avgpool", "fc6", "fc7", "fc8"]
    );
    assert_eq!(rows[4].output, vec![2, 512, 7, 7]);
    assert_eq!(rows[5].output, vec![2, 25_088]);
    assert_eq!(rows[6].parameters, 102_764_544);
    assert_eq!(rows[8].output, vec![2, 1000]);
}

#[test]
fn too_small_input_is_pytorch_error() {
    // 16 / 2^4 = 1 after block4; block5's pool would make it 0.
    let spec = find_model("vgg16").unwrap();
    let e = stage_table(spec, Some(&[1, 3, 16, 16])).unwrap_err();
    assert_eq!(e.context, "block5");
    assert_eq!(
        e.message,
        "RuntimeError: Given input size: (512x1x1). Calculated output size: (512x0x0). Output size is too small"
    );
}
